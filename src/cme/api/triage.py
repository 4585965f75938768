"""POST /referrals/{reference}/triage: an officer's triage decision, as on the triage page.

The page and this operation call the same service (cme.intake.services.referral_decide): the
corrections to the working copy and the decision land together or not at all; a referral
outside the caller's scope answers 404, a caller who may not work cases 403, bad input 422
naming the field, and nothing changes.
"""

from functools import partial
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from cme.accounts import policy
from cme.api.errors import Loc, service_error
from cme.api.referrals import CaseRef, ReferralOut
from cme.api.schemas import BadInput, Id, IsoDate, Line, Lines, Refusal
from cme.cases.register.models import Category, Reason
from cme.intake.selectors import case_officers_for, referral_get_for_user
from cme.intake.services import referral_decide
from cme.people.selectors import children_visible_to

router = Router()

# Literals of the choices for pydantic (and the OpenAPI enums); plain strings to mypy.
if TYPE_CHECKING:
    CategoryCode = str
    ReasonCode = str
else:
    CategoryCode = Literal[tuple(Category.values)]
    ReasonCode = Literal[tuple(Reason.values)]


class CorrectionsIn(Schema):
    """Corrections to the referral's working copy of the child; what was received is kept."""

    model_config = ConfigDict(extra="forbid")

    forename: Line | None = Field(None, max_length=100)
    surname: Line | None = Field(None, max_length=100)
    date_of_birth: IsoDate = Field(None, description="YYYY-MM-DD")
    sex: Literal["F", "M", ""] | None = None
    upn: Line | None = Field(None, max_length=20)
    address: Line | None = Field(None, max_length=300)
    postcode: Line | None = Field(None, max_length=10)
    last_known_school: Line | None = Field(None, max_length=200)

    def as_service_fields(self) -> dict:
        given = self.model_dump(exclude_unset=True)
        return {(name if name == "last_known_school" else f"child_{name}"): ("" if value is None else value)
                for name, value in given.items()}


class TriageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["new_child", "existing_child", "not_cme"] = Field(
        description="Open a case for a new child, add the referral to the case of a child on the "
        "register (child_id), or close it as not missing education (not_cme_reason)"
    )
    child_id: Id | None = Field(None, description="For existing_child")
    category: CategoryCode | None = Field(None, description="Missing or at risk (not for not_cme)")
    reason: ReasonCode | None = None
    reason_detail: Lines = Field("", max_length=5000)
    responsible_officer_id: Id | None = None
    not_cme_reason: Lines = Field("", max_length=5000, description="For not_cme: why")
    corrections: CorrectionsIn | None = None


class TriageOut(Schema):
    referral: ReferralOut
    case: CaseRef | None = Field(description="The case the referral went to; null when closed as not CME")


# Where each of the service's field names sits in the request body.
LOCS: dict[str, Loc] = {
    "child": ("body", "child_id"),
    "responsible_officer": ("body", "responsible_officer_id"),
    "referral": ("body", "decision"),
    **{f"child_{n}": ("body", "corrections", n)
       for n in ("forename", "surname", "date_of_birth", "sex", "upn", "address", "postcode")},
    "last_known_school": ("body", "corrections", "last_known_school"),
}


def _bad(field: str, message: str):
    return service_error(DjangoValidationError({field: message}), LOCS)


@router.post(
    "/{reference}/triage",
    response={200: TriageOut, 401: Refusal, 403: Refusal, 404: Refusal, 415: BadInput, 422: BadInput},
    summary="Triage a referral",
    description=(
        "For officers who work cases, as on the triage page: open a case for a new child, add the "
        "referral to the case of a child already on the register (a new case if that child has "
        "none open), or close it as not missing education. Corrections to the child's details "
        "are saved with the decision; if anything is refused nothing changes. Audited."
    ),
    operation_id="referral_triage",
)
def triage(request, reference: str, payload: TriageIn):
    user = request.auth
    referral = referral_get_for_user(user=user, reference=reference, require=partial(
        policy.require_caseworker, message="Only officers who work cases can triage referrals"))
    child = None
    if payload.decision == "existing_child":
        if payload.child_id is None:
            raise _bad("child", "Give the id of the child on the register")
        child = children_visible_to(user).filter(pk=payload.child_id).first()
        if child is None:
            raise _bad("child", "That child is not on this authority’s register")
    officer = None
    if payload.responsible_officer_id is not None:
        officer = next((o for o in case_officers_for(user) if o.pk == payload.responsible_officer_id), None)
        if officer is None:
            raise _bad("responsible_officer", "Choose an officer of this authority who works cases")
    closing = payload.decision == "not_cme"
    try:
        case = referral_decide(
            actor=user,
            referral=referral,
            corrections=payload.corrections.as_service_fields() if payload.corrections else None,
            not_cme_reason=payload.not_cme_reason if closing else None,
            child=child,
            category=payload.category or "",
            reason=payload.reason or "",
            reason_detail=payload.reason_detail,
            responsible_officer=officer,
        )
    except DjangoValidationError as e:
        locs: dict[str, Loc] = {**LOCS, "reason": ("body", "not_cme_reason" if closing else "reason")}
        raise service_error(e, locs) from e
    referral.refresh_from_db()
    return TriageOut(
        referral=ReferralOut.for_user(referral, user),
        case=CaseRef(id=case.pk, reference=case.reference) if case else None,
    )
