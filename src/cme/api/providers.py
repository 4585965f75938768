"""PUT /providers/{laestab}/roll: a school information system replaces a provider's roll.

The body is the roll itself, as a file: a roll CSV (Content-Type: text/csv; the columns of
docs/roll-csv.md) or a Common Transfer File (Content-Type: application/xml). JSON is not taken: both
formats already exist in every school information system, and one reader per format keeps the
rules (all or nothing, every bad row named) the same as the CLI's and the upload page's.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from cme.api import errors
from cme.api.schemas import BadInput, IsoDate, Refusal
from cme.core.csvfile import first
from cme.core.uploads import limit_for
from cme.movements.ctf import CtfError, parse_ctf
from cme.movements.management.helpers import ctf_max_bytes
from cme.movements.models import RollImport
from cme.movements.selectors import can_import_roll, ctf_roll_problem
from cme.movements.services import RollRefused, ctf_problems, roll_import_csv, roll_import_ctf
from cme.providers.selectors import provider_by_laestab_for_user

router = Router()

# A roll is a whole file: allow it the body size Django accepts, not the API's small default.
# A roll, CSV or CTF, up to the same size as on the page and the command line (cme.core.uploads).
errors.LARGE_BODY_LIMITS["provider_roll"] = limit_for("roll")

CSV_TYPES = ("text/csv",)
XML_TYPES = ("application/xml", "text/xml")


class RollQuery(Schema):
    as_of: IsoDate = Field(
        None, description="The date of the roll, YYYY-MM-DD. Required for a CSV; for a CTF it "
        "defaults to the date the file was made. For example 2025-10-01.")


class RollReport(Schema):
    roll_import_id: int
    laestab: str = Field(examples=["9012001"])
    provider: str = Field(examples=["Northmoor Primary School"])
    as_of: date
    source: str = Field(description="csv or ctf")
    pupils: int
    joined: int = Field(description="Pupils not on the previous roll")
    left: int = Field(description="Children on the previous roll who are not on this one")
    unchanged: int
    new_children: int = Field(description="Pupils the register did not know, added to it")

    @classmethod
    def of(cls, record: RollImport) -> "RollReport":
        return cls(
            roll_import_id=record.pk, laestab=record.provider.laestab, provider=record.provider.name,
            as_of=record.as_of, source=record.source_kind, pupils=record.pupils, joined=record.joined,
            left=record.left, unchanged=record.unchanged, new_children=record.new_children,
        )


def _refused(problems) -> NinjaValidationError:
    """The problems of a refused roll in the 422 shape: loc names the row (or pupil) and field.
    The first 100, then one more item that counts the rest."""
    shown, more = first(problems)
    found = [
        errors.field_error(("body", p.label.lower(), p.row, p.field or "row") if p.row else ("body", p.field or "file"),
                           str(p))
        for p in shown
    ]
    if more:
        found.append(errors.field_error(("body",), f"… and {more:,} more problems", "too_many_problems"))
    return NinjaValidationError(found)


def _bad(loc: tuple, message: str) -> NinjaValidationError:
    return NinjaValidationError([errors.field_error(loc, message)])


@router.put(
    "/{laestab}/roll",
    response={200: RollReport, 401: Refusal, 403: Refusal, 404: Refusal, 415: BadInput, 422: BadInput},
    url_name="provider_roll",
    summary="Replace a provider's roll",
    description=(
        "Send the provider's whole roll as of a date, as a roll CSV (`Content-Type: text/csv`) or a "
        "Common Transfer File (`Content-Type: application/xml`). It replaces the current roll: "
        "children not on it are recorded as having left on the roll date, pupils new to it as having "
        "joined. All or nothing: if any row is wrong nothing changes, and the 422 answer names every "
        "bad row and field, e.g. `loc: [\"body\", \"row\", 3, \"date_of_birth\"]`. A school's account "
        "may send only its own roll; the authority's staff, the roll of any of its providers."
    ),
    operation_id="provider_roll_replace",
    openapi_extra={"requestBody": {"required": True, "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/xml": {"schema": {"type": "string"}},
    }}},
)
def replace_roll(request, laestab: str, query: Query[RollQuery]):
    user = request.auth
    provider = provider_by_laestab_for_user(user=user, laestab=laestab)
    if not can_import_roll(user, provider):
        raise PermissionDenied("This account may not replace this provider's roll")
    content_type = (request.content_type or "").lower()
    data = request.body
    try:
        if content_type in CSV_TYPES:
            if query.as_of is None:
                raise _bad(("query", "as_of"), "Give the date of the roll for a CSV")
            record = roll_import_csv(actor=user, provider=provider, as_of=query.as_of, data=data,
                                     file_name=f"API {laestab}.csv")
        elif content_type in XML_TYPES:
            try:
                ctf = parse_ctf(data, max_bytes=ctf_max_bytes())
            except CtfError as error:
                raise _refused(ctf_problems(error)) from None
            if problem := ctf_roll_problem(ctf, provider):
                raise _bad(("body", "header"), problem)
            record = roll_import_ctf(actor=user, provider=provider, ctf=ctf, as_of=query.as_of,
                                     file_name=f"API {laestab}.xml")
        else:
            return errors.unsupported_media_type("Send the roll as text/csv or application/xml")
    except RollRefused as refused:
        raise _refused(refused.problems) from None
    return RollReport.of(record)

