"""One shape for every refusal: {"detail": [{"loc": [...], "msg": "...", "type": "..."}]} for bad
input (422) and a body that is not JSON (415), {"detail": "..."} for everything else (401, 403,
404, 405, 500).

Pydantic's errors already have the 422 shape; the service's ValidationError, a malformed,
oversized or non-JSON body are translated into it here, so a client handles one format. Errors
that never reach the API's own handlers (an unknown address, a method not allowed, a crash) are
made JSON by JsonErrorsMiddleware.
"""

import json
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

Loc = tuple[str | int, ...]


def field_error(loc: Loc, msg: str, type_: str = "value_error") -> dict:
    return {"loc": list(loc), "msg": msg, "type": type_}


def unprocessable(errors: list[dict]) -> JsonResponse:
    return JsonResponse({"detail": errors}, status=422)


class BodyProblem(ValueError):
    """The body cannot be read as a JSON object; raised by the parser, answered with 422."""

    status = 422

    def __init__(self, msg: str, type_: str = "json_invalid", loc: Loc = ("body",)) -> None:
        super().__init__(msg)
        self.error = field_error(loc, msg, type_)


class NotJson(BodyProblem):
    """The body is declared as something other than JSON: 415."""

    status = 415

    def __init__(self, content_type: str) -> None:
        super().__init__(
            f"Send the body as JSON (Content-Type: application/json), not {content_type or 'untyped'}",
            "unsupported_media_type", ("header", "Content-Type"),
        )


def unsupported_media_type(msg: str) -> JsonResponse:
    return JsonResponse({"detail": [field_error(("header", "Content-Type"), msg, "unsupported_media_type")]},
                        status=415)


def is_json(content_type: str) -> bool:
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


class JsonObjectParser(Parser):
    def parse_body(self, request):
        if request.body and not is_json(request.content_type):
            raise NotJson(request.content_type)
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as e:
            raise BodyProblem(f"The body is not valid JSON: {e}") from e
        if not isinstance(data, dict):
            raise BodyProblem("The body must be a JSON object", "model_type")
        return data


def _too_large(limit: int) -> JsonResponse:
    return unprocessable([
        field_error(
            ("body",),
            f"The body is larger than the {limit:,} bytes the API accepts",
            "body_too_large",
        )
    ])


# Operations that take a whole file (a roll) may allow a larger body: {url_name: bytes}.
LARGE_BODY_LIMITS: dict[str, int] = {}


def refuse_large_bodies(run):
    """Refuse an oversized body before it is read or parsed: by its declared Content-Length
    first, then by its real length (a client may declare less than it sends)."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        match = getattr(request, "resolver_match", None)
        limit = LARGE_BODY_LIMITS.get(match.url_name if match else None, settings.CME_API_MAX_BODY_BYTES)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return unprocessable([field_error(("header", "Content-Length"), "Content-Length must be a number")])
        if declared > limit:
            return _too_large(limit)
        if request.method in ("POST", "PUT", "PATCH"):
            if limit > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                # An endpoint that takes a file larger than a form may be (a roll): read up to its
                # own limit, past Django's global one for form bodies, and keep it as the body.
                body = request.read(limit + 1)
                request._body = body
            else:
                try:
                    body = request.body
                except RequestDataTooBig:
                    return _too_large(limit)
            if len(body) > limit:
                return _too_large(limit)
        return run(request, *args, **kwargs)

    return wrapper


def service_error(exc: DjangoValidationError, locs: dict[str, Loc] | None = None) -> NinjaValidationError:
    """A service's ValidationError in the 422 shape, each field named where the client sent it."""
    locs = locs or {}
    if hasattr(exc, "error_dict"):
        errors = [
            field_error(locs.get(name, ("body", name)), message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [field_error(("body",), message) for message in exc.messages]
    return NinjaValidationError(errors)


def install(api) -> None:
    """Register the handlers that give every refusal its shape."""

    @api.exception_handler(AuthenticationError)
    def unauthorised(request, exc):
        response = api.create_response(
            request,
            {"detail": "Send a valid API token in the Authorization header: 'Bearer <token>'"},
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="CME Tracker"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        # ninja wraps anything the parser raises in a 400; a body we cannot read is bad input.
        if isinstance(exc.__cause__, BodyProblem):
            problem = exc.__cause__
            return api.create_response(request, {"detail": [problem.error]}, status=problem.status)
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    @api.exception_handler(DjangoValidationError)
    def validation_error(request, exc):
        return api.create_response(request, {"detail": service_error(exc).errors}, status=422)


SERVER_ERROR = "Something went wrong: the request was not completed. Try again later."


class JsonErrorsMiddleware:
    """Every error under /api/ answers JSON, including those Django answers before or after the
    API's own handlers: an unknown address (404), a method not allowed (405, keeping Allow), a
    failure nobody expected (500, without a traceback)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            detail = SERVER_ERROR if response.status_code >= 500 else response.reason_phrase
            replaced = JsonResponse({"detail": detail}, status=response.status_code)
            for header in ("Allow", "WWW-Authenticate", "Retry-After"):
                if header in response:
                    replaced[header] = response[header]
            return replaced
        return response
