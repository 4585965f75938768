"""Step 10 for systems: deletion returns and new-entry returns from school information systems,
and the authority's leavers. The same services and selectors as the pages."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from cme.accounts import policy
from cme.api.errors import service_error
from cme.api.schemas import BadInput, Day, IsoDate, Line, Refusal
from cme.api.schemas import Flag as StrictFlag
from cme.providers.models import Enrolment
from cme.providers.selectors import provider_by_laestab_for_user
from cme.tracking import selectors, services
from cme.tracking.models import GROUND_LABELS, Leaver, LeaverMatch, LeaverStatus, Source

router = Router(tags=["Movements"])
WRITE = {401: Refusal, 403: Refusal, 404: Refusal, 415: BadInput, 422: BadInput}

if TYPE_CHECKING:
    Ground = str
    LeaverStatusCode = str
else:
    Ground = Literal[tuple(GROUND_LABELS)]
    LeaverStatusCode = Literal[tuple(LeaverStatus.values)]


def _returning_provider(user, laestab: str):
    """The school a return is about: the caller's own school, or (an officer) any of theirs."""
    policy.require_deletion_returner(user)
    provider = provider_by_laestab_for_user(user=user, laestab=laestab)
    if policy.is_school_user(user) and provider.pk != user.organisation_id:
        raise service_error(DjangoValidationError({"laestab": "A school makes returns for its own pupils"}))
    return provider


class MovementIn(Schema):
    model_config = ConfigDict(extra="forbid")


class DeletionIn(MovementIn):
    laestab: Line = Field(max_length=7, description="The school's LAESTAB")
    upn: Line = Field(max_length=13, description="The pupil's UPN on the school's roll")
    deleted_on: Day = Field(description="The day the name was taken off the admission register")
    ground: Ground = Field(description="SI 2024/208 reg 9(1) ground, a to o")
    destination: Line = Field("", max_length=7, description="The next school's LAESTAB, when known")
    destination_detail: Line = Field("", max_length=300, description="The next school or new address, as given")
    notice_received: StrictFlag | None = Field(None, description="Ground f: the parent’s written notice received")
    other_registration: Line = Field("", max_length=200, description="Ground c: the other school")
    exclusion_on: IsoDate = Field(None, description="Ground o: the date of the permanent exclusion")


class Flag(Schema):
    code: str
    message: str


class DeletionOut(Schema):
    id: int
    deleted_on: date
    ground: str
    premature: bool
    flags: list[Flag] = Field(description="What the data could not confirm, for the officer")


@router.post("/deletion-returns", response={201: DeletionOut, **WRITE}, summary="Return a deletion from the admission register",
             description="A school tells the authority it took a pupil of compulsory school age off its admission "
                         "register (SI 2024/208 reg 13). The pupil is found by UPN on that school's own roll. What the "
                         "data cannot confirm (no destination, no written notice, no joint enquiries, a deletion "
                         "before its ground could be met) is flagged for the officer.",
             operation_id="deletion_return_create")
def deletion_return(request, payload: DeletionIn):
    user = request.auth
    provider = _returning_provider(user, payload.laestab)
    enrolment = (Enrolment.objects.filter(provider=provider, upn=payload.upn.strip().upper())
                 .select_related("child").order_by("leaving_date").first())
    if enrolment is None:
        raise service_error(DjangoValidationError({"upn": f"No pupil with this UPN on the roll of {provider.name}"}))
    try:
        record = services.deletion_return_record(
            actor=user, provider=provider, child=enrolment.child, deleted_on=payload.deleted_on,
            ground=payload.ground, source=Source.API, destination=payload.destination,
            destination_detail=payload.destination_detail, notice_received=payload.notice_received,
            other_registration=payload.other_registration, exclusion_on=payload.exclusion_on)
    except DjangoValidationError as e:
        raise service_error(e) from e
    return Status(201, DeletionOut(id=record.pk, deleted_on=record.deleted_on, ground=record.ground,
                            premature=record.premature, flags=[Flag(**f) for f in record.flags]))


class NewEntryIn(MovementIn):
    laestab: Line = Field(max_length=7)
    entry_date: Day = Field(description="The day of admission")
    upn: Line = Field("", max_length=13)
    forename: Line = Field("", max_length=100)
    middle_names: Line = Field("", max_length=100)
    surname: Line = Field("", max_length=100)
    former_surname: Line = Field("", max_length=100)
    dob: IsoDate = None
    sex: Literal["", "M", "F"] = ""
    postcode: Line = Field("", max_length=10)
    address: Line = Field("", max_length=300)


class NewEntryOut(Schema):
    id: int
    match: str = Field(description="none, or to_confirm: a likely match put to an officer")
    probability: float | None


@router.post("/new-entries", response={201: NewEntryOut, **WRITE}, summary="Return a new entry to the admission register",
             description="A school tells the authority of a pupil it admitted (reg 13, within 5 school days). The "
                         "pupil is matched against the authority's leavers not found again, its open CME cases and its "
                         "home-education list; a likely match waits for an officer.",
             operation_id="new_entry_create")
def new_entry(request, payload: NewEntryIn):
    user = request.auth
    provider = _returning_provider(user, payload.laestab)
    person = payload.dict(exclude={"laestab", "entry_date"})
    person["dob"] = payload.dob.isoformat() if payload.dob else ""
    try:
        entry = services.new_entry_record(actor=user, provider=provider, person=person,
                                          entry_date=payload.entry_date, source=Source.API)
    except DjangoValidationError as e:
        raise service_error(e) from e
    return Status(201, NewEntryOut(id=entry.pk, match=entry.match_state, probability=entry.probability))


class PossibleMatchOut(Schema):
    enrolment_id: int
    child_id: int
    school: str
    entry_date: date
    probability: float | None


class LeaverOut(Schema):
    id: int
    child_id: int
    school: str
    leaving_date: date
    ground: str
    status: str
    found_at: str
    school_days: int | None
    referral: str | None
    match: str = Field(description="to_confirm: a possible match waits for an officer (`possible_match`; "
                                   "`POST /leavers/{leaver_id}/match-decision`); confirmed: an officer confirmed "
                                   "where the leaver was found; empty otherwise")
    possible_match: PossibleMatchOut | None


def _leaver_out(r: Leaver) -> LeaverOut:
    found = r.found_enrolment if r.match_state == LeaverMatch.TO_CONFIRM else None
    return LeaverOut(id=r.pk, child_id=r.child_id, school=r.provider.name, leaving_date=r.leaving_date,
                     ground=r.ground, status=r.status, found_at=r.found_at, school_days=r.school_days,
                     referral=r.referral.reference if r.referral else None, match=r.match_state,
                     possible_match=PossibleMatchOut(enrolment_id=found.pk, child_id=found.child_id,
                                                     school=found.provider.name, entry_date=found.entry_date,
                                                     probability=r.probability) if found else None)


class LeaverQuery(Schema):
    status: LeaverStatusCode = LeaverStatus.UNRECONCILED


@router.get("/leavers", response={200: list[LeaverOut], 401: Refusal, 403: Refusal, 422: BadInput},
            summary="The authority's leavers, by status (the longest gone first)",
            description="Every pupil who left a roll of the authority, as the nightly reconciliation last found "
                        "them: unreconciled (not found again), on_roll, home_education, transferred_out or exempt.",
            operation_id="leavers_list")
def leavers(request, q: Query[LeaverQuery]):
    user = request.auth
    policy.require_la_staff(user, "Only council staff can see leavers")
    return [_leaver_out(r) for r in selectors.leavers_list(user=user, status=q.status)]


class LeaverMatchDecisionIn(MovementIn):
    decision: Literal["confirm", "reject"] = Field(
        description="confirm: the pupil found is the leaver (found again there); reject: another child "
                    "(the leaver stays not found, and that record is not put forward again)")


@router.post("/leavers/{leaver_id}/match-decision", response={200: LeaverOut, **WRITE},
             summary="Confirm or reject a leaver's possible match",
             description="A case officer's decision on a record the reconciliation found by matching alone. "
                         "Until confirmed, the leaver is not found again (and is referred after the grace period).",
             operation_id="leaver_match_decide")
def leaver_match_decision(request, leaver_id: int, payload: LeaverMatchDecisionIn):
    user = request.auth
    leaver = selectors.leaver_get_for_user(user=user, leaver_id=leaver_id, require=policy.require_caseworker)
    try:
        leaver = services.leaver_match_decide(actor=user, leaver=leaver, confirm=payload.decision == "confirm")
    except DjangoValidationError as e:
        raise service_error(e) from e
    return Status(200, _leaver_out(leaver))


# -- the officer's side: deletion returns seen, new entries decided, the radar -----------------


class DeletionReturnRow(DeletionOut):
    school: str
    child_id: int
    destination: str
    source: str


@router.get("/deletion-returns", response={200: list[DeletionReturnRow], 401: Refusal, 403: Refusal, 422: BadInput},
            summary="Deletion returns (a school: its own; the authority: all of its schools')",
            description="The latest deletion returns first, with what the data could not confirm.",
            operation_id="deletion_returns_list")
def deletion_returns(request):
    user = request.auth
    if not policy.is_la_staff(user):
        policy.require_deletion_returner(user)
    return [DeletionReturnRow(id=d.pk, deleted_on=d.deleted_on, ground=d.ground, premature=d.premature,
                              flags=[Flag(**f) for f in d.flags], school=d.provider.name, child_id=d.child_id,
                              destination=d.destination or d.destination_detail, source=d.source)
            for d in selectors.deletion_returns_list(user=user)]


class NewEntryRow(NewEntryOut):
    school: str
    entry_date: date
    forename: str
    surname: str
    dob: str
    matched_child_id: int | None
    matched_leaver_id: int | None
    matched_case_id: int | None


@router.get("/new-entries", response={200: list[NewEntryRow], 401: Refusal, 403: Refusal, 422: BadInput},
            summary="New entries with a likely match waiting for an officer",
            description="Each new pupil the matching took for one of the authority's leavers not found again, a "
                        "child with an open CME case or a child on the home-education list; an officer confirms "
                        "or rejects it (`POST /new-entries/{entry_id}/decision`).",
            operation_id="new_entries_to_confirm")
def new_entries(request):
    user = request.auth
    policy.require_la_staff(user, "Only council staff can see new entries")
    return [NewEntryRow(id=e.pk, match=e.match_state, probability=e.probability, school=e.provider.name,
                        entry_date=e.entry_date, forename=e.person.get("forename", ""),
                        surname=e.person.get("surname", ""), dob=e.person.get("dob", ""),
                        matched_child_id=e.matched_child_id, matched_leaver_id=e.matched_leaver_id,
                        matched_case_id=e.matched_case_id)
            for e in selectors.new_entries_to_confirm(user=user)]


class NewEntryDecisionIn(MovementIn):
    decision: Literal["confirm", "reject"] = Field(
        description="confirm: the new pupil is that child (a leaver is then found again); reject: another child")


@router.post("/new-entries/{entry_id}/decision", response={200: NewEntryOut, **WRITE},
             summary="Confirm or reject a new entry's likely match",
             description="A case officer's decision. Confirming a match to a leaver marks the leaver found again, "
                         "on the new school's roll.",
             operation_id="new_entry_decide")
def new_entry_decision(request, entry_id: int, payload: NewEntryDecisionIn):
    user = request.auth
    entry = selectors.new_entry_get_for_user(user=user, entry_id=entry_id, require=policy.require_caseworker)
    try:
        entry = services.new_entry_decide(actor=user, entry=entry, confirm=payload.decision == "confirm")
    except DjangoValidationError as e:
        raise service_error(e) from e
    return Status(200, NewEntryOut(id=entry.pk, match=entry.match_state, probability=entry.probability))


class RadarPupilOut(Schema):
    deletion_id: int
    name: str
    year_group: str
    deleted_on: date
    ground: str
    destination: str
    counted_in: list[str] = Field(description="y10_11, f, g_none: the radar's figures this deletion counts in")


class RadarRowOut(Schema):
    school: str
    term: str
    deletions: int
    per_100_on_roll: float
    by_ground: dict[str, int]
    by_year_group: dict[str, int]
    concerns: list[str]
    pupils: list[RadarPupilOut]


class RadarOut(Schema):
    council_rates: dict[str, dict[str, float]] = Field(
        description="Per term: the council's deletions per 100 on roll (all, y10_11, f, g_none)")
    schools: list[RadarRowOut]


@router.get("/leavers/radar", response={200: RadarOut, 401: Refusal, 403: Refusal, 422: BadInput},
            summary="The off-rolling radar (managers)",
            description="Deletions per school per term against the council's rate that term, by ground and year "
                        "group, flagged where a school is far above it for Years 10 and 11, home education (f) or "
                        "(g) with no known destination; the pupils behind each figure.",
            operation_id="off_rolling_radar")
def radar(request):
    rows, norms = selectors.off_rolling_radar(user=request.auth)
    return RadarOut(council_rates=norms, schools=[RadarRowOut(
        school=r.provider, term=r.term, deletions=r.deletions, per_100_on_roll=round(r.rate, 2),
        by_ground=r.by_ground, by_year_group=r.by_year, concerns=r.concerns,
        pupils=[RadarPupilOut(deletion_id=p.deletion_id, name=p.name, year_group=p.year_group,
                              deleted_on=p.deleted_on, ground=p.ground, destination=p.destination,
                              counted_in=list(p.kinds)) for p in r.pupils]) for r in rows])
