"""POST /referrals (a system sends a referral) and GET /referrals/{reference} (its status)."""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from cme.accounts import policy
from cme.api.errors import service_error
from cme.api.schemas import READ_REFUSALS, BadInput, IsoDate, Line, Lines, Refusal
from cme.intake.models import CONCERNS_MAX_LENGTH, Channel, Referral
from cme.intake.selectors import referral_get_for_user
from cme.intake.services import referral_create
from cme.people.models import Vulnerability
from cme.people.services import check_flags

router = Router()


# One line of text, and a date written YYYY-MM-DD (cme.api.schemas: the forms' rules).
Text = Line


class ReferrerIn(Schema):
    """Who is referring. Left out, it is the token's user and their organisation."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field("", max_length=200, examples=["PC Sam Whitfield"])
    organisation: Text = Field("", max_length=200, examples=["Northmoor Police"])
    email: Text = Field("", max_length=254, examples=["sam.whitfield@police.example"])
    phone: Text = Field("", max_length=40, examples=["01632 960123"])

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise PydanticCustomError("value_error", "Enter an email address like name@example.org") from None
        return value


class ChildIn(Schema):
    """The child as the referrer knows them. Give at least a first or last name."""

    model_config = ConfigDict(extra="forbid")

    forename: Text = Field("", max_length=100, examples=["Leo"])
    surname: Text = Field("", max_length=100, examples=["Marsh"])
    date_of_birth: IsoDate = Field(
        None,
        description="YYYY-MM-DD; in the past, and of someone aged 25 or under",
        examples=["2013-05-06"],
    )
    sex: Literal["F", "M", ""] = Field("", description="F, M, or blank when not known")
    upn: Text = Field(
        "",
        max_length=20,
        description="Unique pupil number; its check letter is verified. Temporary UPNs are accepted.",
        examples=["W901200124001"],
    )
    address: Text = Field("", max_length=300, examples=["14 Mill Lane, Northmoor"])
    postcode: Text = Field("", max_length=10, examples=["NM1 4AB"])
    last_known_school: Text = Field("", max_length=200, examples=["Northmoor Primary School"])
    vulnerabilities: list[str] = Field(
        default_factory=list,
        description="Vulnerabilities the referrer knows of, from the register's list",
        json_schema_extra={"items": {"type": "string", "enum": list(Vulnerability.values)}},
        examples=[["young_carer"]],
    )

    @field_validator("vulnerabilities")
    @classmethod
    def _known_flags(cls, value: list[str]) -> list[str]:
        try:
            check_flags(value)
        except DjangoValidationError as e:
            raise PydanticCustomError("value_error", e.messages[0]) from None
        return value


class ReferralIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{
                "referrer": {"name": "PC Sam Whitfield", "organisation": "Northmoor Police"},
                "child": {
                    "forename": "Leo",
                    "surname": "Marsh",
                    "date_of_birth": "2013-05-06",
                    "sex": "M",
                    "postcode": "NM1 4AB",
                    "last_known_school": "Northmoor Primary School",
                },
                "concerns": "Seen in the town centre on school days for two weeks.",
            }]
        },
    )

    referrer: ReferrerIn = Field(default_factory=ReferrerIn)
    child: ChildIn
    concerns: Lines = Field("", max_length=CONCERNS_MAX_LENGTH, description="Why the referrer is worried")


class CaseRef(Schema):
    id: int
    reference: str = Field(examples=["C901-000042"])


class ReferralChildOut(Schema):
    forename: str
    surname: str
    date_of_birth: date | None
    sex: str
    upn: str
    address: str
    postcode: str
    last_known_school: str


class ReferralOut(Schema):
    reference: str = Field(examples=["R901-000123"])
    received_at: datetime
    status: str = Field(
        description="awaiting_triage, case_opened, added_to_case or not_cme",
        examples=["awaiting_triage"],
    )
    status_label: str = Field(description="The status in words", examples=["Waiting for triage"])
    # What follows is for the authority's own staff; null for a partner or school, who see only
    # the status of the referrals they made.
    channel: str | None = Field(None, examples=["api"])
    triaged_at: datetime | None = None
    case: CaseRef | None = Field(None, description="The case the referral went to (authority staff only)")
    child: ReferralChildOut | None = Field(None, description="The working copy of the child's details (authority staff only)")
    concerns: str | None = None

    @classmethod
    def for_user(cls, referral: Referral, user) -> "ReferralOut":
        out = cls(
            reference=referral.reference,
            received_at=referral.received_at,
            status=referral.status,
            status_label=referral.get_status_display(),
        )
        if user.is_la_staff:
            out.channel = referral.channel
            out.triaged_at = referral.triaged_at
            out.concerns = referral.concerns
            out.case = CaseRef(id=referral.case_id, reference=referral.case.reference) if referral.case_id else None
            out.child = ReferralChildOut(
                forename=referral.child_forename,
                surname=referral.child_surname,
                date_of_birth=referral.child_date_of_birth,
                sex=referral.child_sex,
                upn=referral.child_upn,
                address=referral.child_address,
                postcode=referral.child_postcode,
                last_known_school=referral.last_known_school,
            )
        return out


# Where each of the service's field names sits in the request body.
SERVICE_FIELD_LOCS = {
    **{f"child_{name}": ("body", "child", name)
       for name in ("forename", "surname", "date_of_birth", "sex", "upn", "address", "postcode")},
    "last_known_school": ("body", "child", "last_known_school"),
    "concerns": ("body", "concerns"),
    **{f"referrer_{name}": ("body", "referrer", name)
       for name in ("name", "organisation", "email", "phone")},
}


def _referral_la(user):
    """The authority a caller's referrals go to (the policy's one rule, as on the pages)."""
    try:
        return policy.referral_la(user)
    except PermissionDenied as refused:
        raise HttpError(403, str(refused)) from None
    except ValueError as unlinked:
        raise HttpError(403, f"This account may not make referrals yet: {unlinked}") from None


def _concerns_with_vulnerabilities(concerns: str, flags: list[str]) -> str:
    # A referral has no field for vulnerabilities: an officer records them on the child at
    # triage. Until then they travel with the concerns, in words.
    if not flags:
        return concerns
    words = "; ".join(Vulnerability(f).label for f in flags)
    line = f"Vulnerabilities the referrer reported: {words}"
    return f"{concerns}\n\n{line}" if concerns else line


@router.post(
    "",
    response={201: ReferralOut, 401: Refusal, 403: Refusal, 415: BadInput, 422: BadInput},
    summary="Send a referral",
    description=(
        "Record a referral about a child, exactly as sent, for the caller's authority (authority "
        "staff) or their organisation's authority (partner agency, school). It waits for triage "
        "by a CME officer. Answers 201 with the reference; the Location header is where to read "
        "its status."
    ),
    operation_id="referral_create",
)
def create_referral(request, response: HttpResponse, payload: ReferralIn):
    user = request.auth
    la = _referral_la(user)
    child = payload.child
    referrer = payload.referrer
    try:
        referral = referral_create(
            la=la,
            channel=Channel.API,
            submitted_by=user,
            # Left out, the service names the caller and their organisation as the referrer.
            **{f"referrer_{k}": v for k, v in referrer.model_dump().items() if v},
            child_forename=child.forename,
            child_surname=child.surname,
            child_date_of_birth=child.date_of_birth,
            child_sex=child.sex,
            child_upn=child.upn,
            child_address=child.address,
            child_postcode=child.postcode,
            last_known_school=child.last_known_school,
            concerns=_concerns_with_vulnerabilities(payload.concerns, child.vulnerabilities),
        )
    except DjangoValidationError as e:
        raise service_error(e, SERVICE_FIELD_LOCS) from e
    response["Location"] = reverse("api:referral", kwargs={"reference": referral.reference})
    return Status(201, ReferralOut.for_user(referral, user))


@router.get(
    "/{reference}",
    response={200: ReferralOut, **READ_REFUSALS},
    url_name="referral",
    summary="Read a referral's status",
    description=(
        "A partner agency or school sees only the referrals its organisation made, and only their "
        "status; the authority's staff see the authority's referrals with the child's details and "
        "the case they went to. Reading it is audited."
    ),
    operation_id="referral_read",
)
def read_referral(request, reference: str):
    referral = referral_get_for_user(user=request.auth, reference=reference)
    return ReferralOut.for_user(referral, request.auth)
