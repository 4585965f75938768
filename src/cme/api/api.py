"""The JSON API under /api/v1/: typed with django-ninja, which also writes the OpenAPI document.

Every operation needs a bearer token and acts as the token's user, through the same selectors
and services as the pages, so scope and audit are the pages' own (see docs/adr/0003).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from cme.api import errors
from cme.api.auth import BearerToken, TokenRateThrottle
from cme.api.cases import router as cases_router
from cme.api.children import router as children_router
from cme.api.matching import router as matching_router
from cme.api.providers import router as providers_router
from cme.api.referrals import router as referrals_router
from cme.api.tracking import router as tracking_router
from cme.api.work import router as work_router

DESCRIPTION = """
The CME register for systems: school information systems, partner agencies' case systems and the
authority's own tools.

**Authentication.** Every call needs `Authorization: Bearer <token>`. An administrator makes a
token with `cme api-token USERNAME`; it acts as that user, sees exactly what the user sees on the
pages, and everything it reads or changes is in the audit trail under the user's name.

**Scope.** A record outside the caller's scope answers 404, the same as a record that does not
exist, so that the API does not reveal what exists elsewhere.

**Errors.** Every error is JSON. Bad input answers 422 with
`{"detail": [{"loc": ["body", "child", "date_of_birth"], "msg": "...", "type": "..."}]}`:
`loc` names the field. A body that is not JSON (by its Content-Type) answers 415 in the same
shape, with `loc: ["header", "Content-Type"]`. Nothing is saved when a request is refused. Other
refusals answer `{"detail": "..."}` (401 no or bad token, 403 not allowed, 404 not found, 405
method not allowed, 500 a failure on our side).

**Input.** Text is refused with control characters (NUL, escape...), characters that change the
direction of text, or line breaks where one line is expected, and beyond the field's
`maxLength`, which is the web form's. Dates are written `YYYY-MM-DD`; true and false are JSON's
`true` and `false`; ids and page numbers are bounded (`maximum`).

**Two clients changing one case.** Send a change to a case with `If-Match: "<updated_at>"`, the
case's `updated_at` as you last read it: if the case changed since, the change is refused with 412
and says who changed it and when, and nothing is overwritten. Without `If-Match` the change is made
on the case as it stands.

**Rate limit.** Each token may make `CME_API_RATE` requests (600 a minute by default); past it the
answer is 429 with `Retry-After`.

**Growth.** New fields may be added to any response object within v1; clients should ignore
fields they do not know.
"""


class CmeApi(NinjaAPI):
    def validation_error_from_error_contexts(self, error_contexts):
        """Pydantic's errors as {loc, msg, type}, with loc as the client wrote the request."""
        found = []
        for context in error_contexts:
            model = context.model
            # ninja reads a single body parameter as {name: body}; clients never see that name.
            single = getattr(model, "__read_from_single_attr__", None)
            for item in context.pydantic_validation_error.errors(include_url=False):
                loc = model.__ninja_flatten_map_reverse__.get(item["loc"], item["loc"])
                if single and loc[:1] == (single,):
                    loc = loc[1:]
                found.append(
                    errors.field_error((model.__ninja_param_source__, *loc), item["msg"], item["type"])
                )
        return NinjaValidationError(found)


api = CmeApi(
    title="CME Tracker API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,  # no Swagger UI: it loads from a CDN, which our CSP (rightly) refuses
    auth=BearerToken(),
    parser=errors.JsonObjectParser(),
    throttle=[TokenRateThrottle(settings.CME_API_RATE)],
)
errors.install(api)


@api.exception_handler(PermissionDenied)
def _refused(request, exc):
    # The policy (cme.accounts.policy) refuses with PermissionDenied for pages and API alike.
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


api.add_decorator(errors.refuse_large_bodies, mode="view")
api.add_router("/referrals", referrals_router, tags=["Referrals"])
api.add_router("", tracking_router)
api.add_router("", "cme.api.handoffs.router", tags=["Hand-offs"])
api.add_router("/referrals", "cme.api.triage.router", tags=["Referrals"])
api.add_router("/cases", cases_router, tags=["Cases"])
api.add_router("/children", children_router, tags=["Children"])
api.add_router("/providers", providers_router, tags=["Rolls"])
api.add_router("/matches", matching_router, tags=["Matching"])
api.add_router("/", work_router, tags=["Case work"])
api.add_router("/cases", "cme.api.case_actions.router", tags=["Enquiries, locating, needs and closure"])
api.add_router("/", "cme.api.places.router", tags=["Places, placement requests and panels"])
api.add_router("/", "cme.api.reports.router")
