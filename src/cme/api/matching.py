"""POST /matches: who, among the authority's children on a roll, on the home-education list or
on the register, may this child be? The officer's "is this child on a roll?" for systems."""

from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from cme.api.errors import field_error
from cme.api.referrals import IsoDate, Text
from cme.api.schemas import BadInput, Refusal
from cme.core.validation import check_date_of_birth
from cme.identify import selectors
from cme.people.identifiers import normalise_upn, upn_problem

router = Router()


class MatchIn(Schema):
    """The child as a referral describes them. Give at least a name, a date of birth or a UPN."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"forename": "Bill", "surname": "Hartly", "date_of_birth": "2014-12-03",
                                         "postcode": "NM1 2AB"}]},
    )

    forename: Text = Field("", max_length=100, examples=["Bill"])
    surname: Text = Field("", max_length=100, examples=["Hartly"])
    date_of_birth: IsoDate = Field(None, description="YYYY-MM-DD", examples=["2014-12-03"])
    sex: Literal["F", "M", ""] = Field("", description="F, M, or blank when not known")
    upn: Text = Field("", max_length=20, description="Unique pupil number; its check letter is verified")
    address: Text = Field("", max_length=300, examples=["12 High Street, Northmoor"])
    postcode: Text = Field("", max_length=10, examples=["NM1 2AB"])
    limit: int = Field(10, ge=1, le=50, description="At most this many candidates")

    @field_validator("upn")
    @classmethod
    def _upn(cls, value: str) -> str:
        value = normalise_upn(value)
        if value and (problem := upn_problem(value)):
            raise PydanticCustomError("value_error", problem)
        return value

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, value: date | None) -> date | None:
        try:
            check_date_of_birth(value)
        except DjangoValidationError as e:
            raise PydanticCustomError("value_error", e.message_dict["date_of_birth"][0]) from None
        return value


class EvidenceOut(Schema):
    field: str = Field(description="forename, surname, dob, sex, address, upn, name_order, timing, middle_name; prior; other_candidates, sibling, namesake (the rival explanations)")
    outcome: str = Field(description="agrees, similar, disagrees, missing; prior for the starting point")
    level: str = Field(examples=["close_spelling"])
    weight: float = Field(description="Bits of evidence this comparison added (log2 of the likelihood ratio)")
    description: str = Field(examples=["spelt almost the same"])


class ProviderOut(Schema):
    name: str
    kind: str = Field(description="school, pru, ap, fe, independent or home_education")
    laestab: str


class CandidateChild(Schema):
    id: int
    forename: str
    surname: str
    date_of_birth: date | None
    sex: str
    upn: str


class CandidateOut(Schema):
    child: CandidateChild
    probability: float = Field(description="Probability that this is the child, 0 to 1")
    household: bool = Field(description="The surname and address given are this child's household's: a "
                                        "brother or sister of this child may be the one referred")
    match_weight: float = Field(description="Total evidence in bits, after the starting point and rivals")
    placement: str = Field(description="on_roll, home_education or register_only")
    providers: list[ProviderOut] = Field(description="Where the child is on roll now")
    explanation: list[EvidenceOut]


class FittingChild(CandidateChild):
    open_case: str | None = Field(description="Reference of the child's open case, if any")


class MatchesOut(Schema):
    candidates: list[CandidateOut] = Field(description="Children scored against what was given, most likely first")
    household_warning: bool = Field(description="Two or more children of one household fit: a brother or sister "
                                                "of one of them may be the child referred. Ask before deciding")
    enough_to_score: bool = Field(description=f"False when less than {selectors.ENOUGH_TO_SCORE} was given: "
                                              "the children who fit are listed in `fitting`, not scored")
    fitting: list[FittingChild] = Field(description="When nothing was scored: children who fit what was given "
                                                    "(the first 50). Empty with no candidates means no child fits")
    fitting_total: int


def _out(c: selectors.Candidate) -> CandidateOut:
    child, found = c.child, c.found
    return CandidateOut(
        child=CandidateChild(id=child.pk, forename=child.legal_forename, surname=child.legal_surname,
                             date_of_birth=child.date_of_birth, sex=child.sex, upn=child.upn),
        probability=round(found.probability, 6),
        household=found.household,
        match_weight=found.match_weight,
        placement=found.placement,
        providers=[ProviderOut(name=p.name, kind=p.kind, laestab=p.laestab) for p in found.providers],
        explanation=[EvidenceOut(field=e.field, outcome=e.outcome, level=e.level, weight=e.weight,
                                 description=e.description) for e in found.evidence],
    )


@router.post(
    "",
    response={200: MatchesOut, 401: Refusal, 403: Refusal, 415: BadInput, 422: BadInput},
    summary="Find a child on the rolls",
    description=(
        "Match a child, described as a referral describes them, against every roll, the "
        "home-education list and the register of the caller's authority. Answers the candidates, "
        "most likely first, each with a probability and a field-by-field explanation. Misspellings, "
        "nicknames, former names and mistyped dates are allowed for. With too little to score (a "
        "surname alone), the children who fit are listed instead; no candidates and no fitting "
        "children means no child fits. Authority staff only; audited as a search. Nothing is "
        "linked or merged: deciding which child it is is an officer's."
    ),
    operation_id="matches_find",
)
def find_matches(request, payload: MatchIn):
    user = request.auth
    if not user.is_la_staff:
        raise HttpError(403, "Only council staff can search the rolls")
    fields = payload.model_dump(exclude={"limit"})
    if not any(fields[k] for k in ("forename", "surname", "upn", "date_of_birth")):
        raise NinjaValidationError([field_error(("body", "surname"), "Give a name, a date of birth or a UPN")])
    result = selectors.child_search(user=user, fields=fields, limit=payload.limit, per_page=50)
    return MatchesOut(
        candidates=[_out(c) for c in result.candidates],
        household_warning=result.household,
        enough_to_score=not result.thin,
        fitting=[FittingChild(id=c.pk, forename=c.legal_forename, surname=c.legal_surname, date_of_birth=c.date_of_birth,
                              sex=c.sex, upn=c.upn, open_case=c.open_cases[0].reference if c.open_cases else None)
                 for c in result.fitting],
        fitting_total=result.fitting_total,
    )
