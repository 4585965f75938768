"""Places, placement requests and panels in the API (issue 13), as on the pages.

The suitable places for a case's child, best first; asking a provider for a place; the
provider's answer (by the provider's own staff, who see only the requests made to them, or by an
officer); taking up an offer; a school's own places figure; a panel's decisions. The same
selectors (scope, audit) and services (rules, audit) as the pages.
"""

from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import Field, Path, Router, Schema, Status
from pydantic import ConfigDict

from cme.accounts import policy
from cme.accounts.models import User
from cme.api.errors import service_error
from cme.api.schemas import BadInput, Day, Id, IsoDate, Line, Lines, Refusal
from cme.cases.register.selectors import case_get_for_user, case_officers
from cme.core.inputs import DB_INT_MAX
from cme.places import ranking, selectors, services
from cme.places.models import (
    AgendaItem,
    Need,
    PanelKind,
    PlacementRequest,
    RequestKind,
    RequestState,
    WatchState,
)
from cme.providers.selectors import provider_by_laestab_for_user

router = Router()

READ = {401: Refusal, 404: Refusal, 422: BadInput}
WRITE = {401: Refusal, 403: Refusal, 404: Refusal, 415: BadInput, 422: BadInput}
PathId = Path(..., ge=1, le=DB_INT_MAX)
Laestab = Path(..., max_length=7)
WORKS_CASES = partial(policy.require_caseworker, message="Only officers who work cases can do this")

if TYPE_CHECKING:
    KindCode = str
    StateCode = str
    PanelCode = str
    WatchCode = str
else:
    KindCode = Literal[tuple(RequestKind.values)]
    StateCode = Literal[tuple(RequestState.values)]
    PanelCode = Literal[tuple(PanelKind.values)]
    WatchCode = Literal[tuple(WatchState.values)]
YearCode = Literal["N1", "N2", "R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14"]


def _works_cases(user, _request) -> None:
    WORKS_CASES(user)


class PlacesInput(Schema):
    model_config = ConfigDict(extra="forbid")


def _run(call, locs=None):
    try:
        return call()
    except DjangoValidationError as e:
        raise service_error(e, locs) from e


# -- suggestions ---------------------------------------------------------------------------------


class PlaceOut(Schema):
    laestab: str = Field(examples=["9012001"])
    provider_id: int
    name: str
    kind: str = Field(description="school, pru, ap (alternative provision), fe...")
    year_group: str = Field(examples=["8"], description="N1, N2, R, or 1 to 14")
    places_free: int
    distance_km: float | None = Field(description="Straight line from the child's home; null when a postcode has no coordinates")
    reasons: list[str] = Field(description="Why it is suggested, in plain words, most telling first")


@router.get("/cases/{case_id}/places", response={200: list[PlaceOut], **READ},
            summary="Suitable places for the child, best first",
            description="Never a provider that is closed, full, or does not take the child's year group. The year "
                        "group is the child's by date of birth unless `year_group` is given.",
            operation_id="case_places")
def case_places(request, case_id: int = PathId, year_group: YearCode | None = None):
    case = case_get_for_user(user=request.auth, case_id=case_id)
    year = ranking.year_number(year_group) if year_group else None
    _, found, _ = selectors.case_places(case=case, year=year)
    return [PlaceOut(laestab=s.option.laestab, provider_id=s.option.id, name=s.option.name, kind=s.option.kind,
                     year_group=s.year_group, places_free=s.places_free, distance_km=s.distance_km,
                     reasons=list(s.reasons)) for s in found]


# -- placement requests --------------------------------------------------------------------------


class RequestOut(Schema):
    id: int
    case_id: int
    case_reference: str
    laestab: str
    provider: str
    kind: KindCode
    year_group: str
    requested_on: date
    state: StateCode
    state_label: str
    answered_on: date | None
    start_on: date | None = Field(description="The start date offered")
    refusal_reason: str
    accepted_on: date | None = Field(description="When the family took up the offer")
    note: str

    @classmethod
    def of(cls, r: PlacementRequest) -> "RequestOut":
        return cls(id=r.pk, case_id=r.case_id, case_reference=r.case.reference, laestab=r.provider.laestab,
                   provider=r.provider.name, kind=r.kind, year_group=r.year_group, requested_on=r.requested_on,
                   state=r.state, state_label=r.get_state_display(), answered_on=r.answered_on,
                   start_on=r.start_on, refusal_reason=r.refusal_reason, accepted_on=r.accepted_on, note=r.note)


class RequestIn(PlacesInput):
    laestab: Line = Field(max_length=7, examples=["9012001"], description="The provider asked")
    kind: KindCode
    year_group: YearCode
    note: Lines = Field("", max_length=2000)
    requested_on: IsoDate = Field(None, description="Today when left out; not in the future")


class AnswerIn(PlacesInput):
    answer: Literal["offered", "refused", "no_answer"]
    start_on: IsoDate = Field(None, description="Needed with offered")
    reason: Lines = Field("", max_length=2000, description="Needed with refused")
    answered_on: IsoDate = Field(None, description="Today when left out")


@router.get("/cases/{case_id}/placement-requests", response={200: list[RequestOut], **READ},
            summary="The requests for a place made for a case", description="Newest first.",
            operation_id="case_placement_requests")
def list_case_requests(request, case_id: int = PathId):
    case = case_get_for_user(user=request.auth, case_id=case_id)
    return [RequestOut.of(r) for r in selectors.case_requests(case=case)]


@router.post("/cases/{case_id}/placement-requests", response={201: RequestOut, **WRITE},
             summary="Ask a provider for a place",
             description="An in-year admission application or an alternative provision commission. A closed "
                         "provider, one of another authority, or one already asked and not answered is refused.",
             operation_id="placement_request")
def create_request(request, payload: RequestIn, case_id: int = PathId):
    user = request.auth
    case = case_get_for_user(user=user, case_id=case_id, require=WORKS_CASES)
    try:
        provider = provider_by_laestab_for_user(user=user, laestab=payload.laestab)
    except Http404:
        raise service_error(DjangoValidationError({"laestab": "No provider of this authority has that number"})) from None
    made = _run(lambda: services.placement_request(
        actor=user, case=case, provider=provider, kind=payload.kind, year_group=payload.year_group,
        note=payload.note, requested_on=payload.requested_on), {"provider": ("body", "laestab")})
    return Status(201, RequestOut.of(made))


@router.get("/placement-requests", response={200: list[RequestOut], **READ},
            summary="Requests for a place the caller may see",
            description="The authority's staff: their authority's; a provider's staff: only those made to their provider.",
            operation_id="placement_requests")
def list_requests(request):
    return [RequestOut.of(r) for r in selectors.provider_requests(user=request.auth)]


@router.post("/placement-requests/{request_id}/answer", response={200: RequestOut, **WRITE},
             summary="Record the provider's answer",
             description="Offered (with a start date), refused (with a reason) or, by the authority, no answer.",
             operation_id="placement_answer")
def answer_request(request, payload: AnswerIn, request_id: int = PathId):
    user = request.auth
    found = selectors.request_get_for_user(user=user, request_id=request_id, require=policy.require_request_answerer)
    return _run(lambda: RequestOut.of(services.placement_answer(
        actor=user, request=found, answer=payload.answer, start_on=payload.start_on, reason=payload.reason,
        answered_on=payload.answered_on)))


@router.post("/placement-requests/{request_id}/accept", response={200: RequestOut, **WRITE},
             summary="The family takes up the offer",
             description="The provider becomes the case's provision and the start date its start; attendance there "
                         "is watched before the case may close in provision.",
             operation_id="placement_accept")
def accept_request(request, request_id: int = PathId):
    user = request.auth
    found = selectors.request_get_for_user(user=user, request_id=request_id, require=_works_cases)
    return _run(lambda: RequestOut.of(services.placement_accept(actor=user, request=found)))


@router.post("/placement-requests/{request_id}/withdraw", response={200: RequestOut, **WRITE},
             summary="Withdraw a request still waiting", description="The provider need not answer it.",
             operation_id="placement_withdraw")
def withdraw_request(request, request_id: int = PathId):
    user = request.auth
    found = selectors.request_get_for_user(user=user, request_id=request_id, require=_works_cases)
    return _run(lambda: RequestOut.of(services.placement_withdraw(actor=user, request=found)))


class WatchOut(Schema):
    provider: str
    laestab: str
    starts_on: date
    school_days: int = Field(description="School days of attendance watched before the case may close")
    state: WatchCode
    state_label: str
    days_attended: int
    last_checked_on: date | None
    detail: str


@router.get("/cases/{case_id}/provision-watch", response={200: list[WatchOut], **READ},
            summary="Attendance watched at the child's new provider",
            description="Set when an offer is taken up; `cme watch-new-starts` checks it against the registers: "
                        "settled (the case may close in provision) or stopped (work reopened).",
            operation_id="case_provision_watch")
def provision_watch(request, case_id: int = PathId):
    case = case_get_for_user(user=request.auth, case_id=case_id)
    return [WatchOut(provider=w.provider.name, laestab=w.provider.laestab, starts_on=w.starts_on,
                     school_days=w.school_days, state=w.state, state_label=w.get_state_display(),
                     days_attended=w.days_attended, last_checked_on=w.last_checked_on, detail=w.detail)
            for w in case.provision_watches.select_related("provider")]


# -- places figures ------------------------------------------------------------------------------


class PlacesIn(PlacesInput):
    places_free: int | None = Field(ge=0, le=2000, description="null clears the school's figure")
    given_on: IsoDate = Field(None, description="Today when left out")


class PlacesOut(Schema):
    year_group: str
    capacity: int
    on_roll: int
    places_free: int
    school_figure: int | None
    figure_date: date | None
    stale: bool = Field(description="Older than the authority's limit: check before relying on it")


@router.get("/providers/{laestab}/places", response={200: list[PlacesOut], **READ},
            summary="A provider's places by year group",
            description="Capacity, pupils on roll at the last roll import, and the school's own figure if given.",
            operation_id="provider_places")
def provider_places(request, laestab: str = Laestab):
    provider = _places_provider(request.auth, laestab)
    return [
        PlacesOut(year_group=r.year_group, capacity=r.capacity, on_roll=r.on_roll, places_free=r.places_free,
                  school_figure=r.school_figure, figure_date=r.figure_date, stale=r.stale)
        for r in selectors.provider_places(provider=provider)]


def _places_provider(user, laestab: str):
    found = selectors.providers_for_places(user=user).filter(la_code=laestab[:3], estab=laestab[3:]).first()
    if found is None:
        raise Http404("No such provider")
    return found


@router.put("/providers/{laestab}/places/{year_group}", response={200: PlacesOut, **WRITE},
            summary="Give a year group's places free",
            description="A school for itself (or the authority's staff for its providers); dated, and used in "
                        "place of the count from the roll until cleared.",
            operation_id="provider_places_update")
def update_places(request, payload: PlacesIn, year_group: YearCode, laestab: str = Laestab):
    user = request.auth
    provider = _places_provider(user, laestab)
    _run(lambda: services.places_school_update(actor=user, provider=provider, year_group=year_group,
                                               places_free=payload.places_free, given_on=payload.given_on))
    row = next(r for r in selectors.provider_places(provider=provider) if r.year_group == year_group)
    return PlacesOut(year_group=row.year_group, capacity=row.capacity, on_roll=row.on_roll,
                     places_free=row.places_free, school_figure=row.school_figure, figure_date=row.figure_date,
                     stale=row.stale)


class CapacityIn(PlacesInput):
    capacity: int = Field(ge=0, le=2000, description="Published admission number or capacity")
    given_on: IsoDate = Field(None, description="Today when left out")


@router.put("/providers/{laestab}/capacity/{year_group}", response={200: PlacesOut, **WRITE},
            summary="Set a year group's capacity",
            description="The published admission number or capacity, kept by the authority's staff who load data; "
                        "the pupils on roll are recounted.",
            operation_id="provider_capacity_update")
def update_capacity(request, payload: CapacityIn, year_group: YearCode, laestab: str = Laestab):
    user = request.auth
    provider = _places_provider(user, laestab)
    _run(lambda: services.places_set_capacity(actor=user, provider=provider, year_group=year_group,
                                              capacity=payload.capacity, given_on=payload.given_on))
    row = next(r for r in selectors.provider_places(provider=provider) if r.year_group == year_group)
    return PlacesOut(year_group=row.year_group, capacity=row.capacity, on_roll=row.on_roll,
                     places_free=row.places_free, school_figure=row.school_figure, figure_date=row.figure_date,
                     stale=row.stale)


if TYPE_CHECKING:
    NeedCode = str
else:
    NeedCode = Literal[tuple(Need.values)]


class DirectoryIn(PlacesInput):
    low_year: YearCode | None = None
    high_year: YearCode | None = None
    needs_met: list[NeedCode] = Field(default_factory=list, max_length=10)
    referral_route: Line = Field("", max_length=300)
    hours_per_week: float | None = Field(None, ge=0, le=100)
    cost_per_week: float | None = Field(None, ge=0, le=100000)
    serves_km: float | None = Field(None, ge=0, le=999)
    places_free: int | None = Field(None, ge=0, le=2000, description="Places free in any year group it takes")


class DirectoryOut(Schema):
    laestab: str
    name: str
    low_year: int | None
    high_year: int | None
    needs_met: list[str]
    referral_route: str
    hours_per_week: float | None
    cost_per_week: float | None
    serves_km: float | None
    places_free: int | None


def _directory_out(provider, profile) -> DirectoryOut:
    def num(v):
        return float(v) if v is not None else None
    return DirectoryOut(laestab=provider.laestab, name=provider.name,
                        low_year=profile.low_year if profile else None, high_year=profile.high_year if profile else None,
                        needs_met=sorted(profile.needs) if profile else [],
                        referral_route=profile.referral_route if profile else "",
                        hours_per_week=num(profile.hours_per_week) if profile else None,
                        cost_per_week=num(profile.cost_per_week) if profile else None,
                        serves_km=num(profile.serves_km) if profile else None,
                        places_free=profile.places_free if profile else None)


@router.get("/alternative-provision", response={200: list[DirectoryOut], **READ},
            summary="The directory of alternative provision",
            description="The authority's alternative providers and PRUs: year groups, needs met, referral route, "
                        "hours and cost a week, the distance each serves, places free.",
            operation_id="ap_directory")
def directory(request):
    return [_directory_out(p, profile) for p, profile in selectors.ap_directory(user=request.auth)]


@router.put("/providers/{laestab}/directory", response={200: DirectoryOut, **WRITE},
            summary="Set what a provider offers (the AP directory)",
            description="Kept by the authority's staff who load data.", operation_id="ap_directory_update")
def update_directory(request, payload: DirectoryIn, laestab: str = Laestab):
    from decimal import Decimal

    user = request.auth
    provider = _places_provider(user, laestab)

    def dec(v):
        return Decimal(str(v)) if v is not None else None
    profile = _run(lambda: services.profile_save(
        actor=user, provider=provider, low_year=payload.low_year or "", high_year=payload.high_year or "",
        needs_met=list(payload.needs_met), referral_route=payload.referral_route,
        hours_per_week=dec(payload.hours_per_week), cost_per_week=dec(payload.cost_per_week),
        serves_km=dec(payload.serves_km), places_free=payload.places_free))
    return _directory_out(provider, profile)


class RefusalOut(Schema):
    provider: str
    term: str
    refusals: int


@router.get("/placement-refusals", response={200: list[RefusalOut], 401: Refusal, 403: Refusal, 422: BadInput},
            summary="Refusals per school per term", description="For managers.", operation_id="placement_refusals")
def refusals(request):
    return [RefusalOut(provider=n, term=t, refusals=c) for n, t, c in selectors.refusals_by_school(user=request.auth)]


# -- panels --------------------------------------------------------------------------------------


class ActionIn(PlacesInput):
    title: Line = Field(max_length=200)
    owner_id: Id
    due_on: Day


class PanelDecisionIn(PlacesInput):
    decision: Lines = Field(max_length=5000)
    restricted_notes: Lines = Field("", max_length=5000, description="Only roles that see restricted detail")
    actions: list[ActionIn] = Field(default_factory=list, max_length=20)


class AgendaItemOut(Schema):
    id: int
    case_id: int
    case_reference: str
    why: str
    decision: str
    restricted_notes: str | None = Field(description="null when withheld from the caller's role")
    actions: list[str]

    @classmethod
    def of(cls, item: AgendaItem, user) -> "AgendaItemOut":
        return cls(id=item.pk, case_id=item.case_id, case_reference=item.case.reference, why=item.why,
                   decision=item.decision,
                   restricted_notes=item.restricted_notes if policy.may_see_panel_restricted(user) else None,
                   actions=[a.task.title for a in item.actions.all()])


class MeetingOut(Schema):
    id: int
    panel: str
    held_on: date
    items: list[AgendaItemOut]


class PanelIn(PlacesInput):
    name: Line = Field(max_length=200)
    kind: PanelCode
    members: list[Line] = Field(default_factory=list, max_length=30,
                                description="Each member as 'name; whom they represent'")


class PanelOut(Schema):
    id: int
    name: str
    kind: PanelCode
    members: list[str]


class MeetingIn(PlacesInput):
    held_on: Day
    case_ids: list[Id] | None = Field(None, max_length=50,
                                      description="The cases on the agenda; left out: every case that needs a "
                                                  "decision (a request refused or not answered, a placement clock run out)")
    attendees: Lines = Field("", max_length=2000)


@router.post("/panels", response={201: PanelOut, **WRITE}, summary="Set up a panel",
             description="Fair Access, hard to place or CME; for managers.", operation_id="panel_create")
def create_panel(request, payload: PanelIn):
    user = request.auth
    members = [(name.strip(), represents.strip()) for name, _, represents in (m.partition(";") for m in payload.members)]
    panel = _run(lambda: services.panel_create(actor=user, name=payload.name, kind=payload.kind, members=members))
    return Status(201, PanelOut(id=panel.pk, name=panel.name, kind=panel.kind,
                                members=[m.name for m in panel.members.all()]))


@router.post("/panels/{panel_id}/meetings", response={201: MeetingOut, **WRITE}, summary="Set up a panel meeting",
             description="With its agenda: the cases given, or every case needing a decision.",
             operation_id="panel_meeting_create")
def create_meeting(request, payload: MeetingIn, panel_id: int = PathId):
    user = request.auth
    panel = selectors.panels_visible_to(user).filter(pk=panel_id).first()
    if panel is None:
        raise Http404("No such panel")
    policy.require_caseworker(user)
    candidates = selectors.agenda_candidates(user=user)
    if payload.case_ids is not None:
        cases = []
        for n, case_id in enumerate(payload.case_ids):
            try:
                case = case_get_for_user(user=user, case_id=case_id)
            except Http404:
                raise service_error(DjangoValidationError({"case_ids": "No such case"}),
                                    {"case_ids": ("body", "case_ids", n)}) from None
            why = next((w for c, w in candidates if c.pk == case.pk), "Brought to the panel by an officer")
            cases.append((case, why))
    else:
        cases = candidates
    m = _run(lambda: services.meeting_create(actor=user, panel=panel, held_on=payload.held_on, cases=cases,
                                             attendees=payload.attendees))
    return Status(201, MeetingOut(id=m.pk, panel=panel.name, held_on=m.held_on,
                                  items=[AgendaItemOut.of(i, user) for i in selectors.meeting_items(meeting=m)]))


@router.get("/panel-meetings/{meeting_id}", response={200: MeetingOut, **READ},
            summary="A panel meeting: its agenda and decisions",
            description="Restricted notes only for roles that may see restricted detail.",
            operation_id="panel_meeting")
def meeting(request, meeting_id: int = PathId):
    user = request.auth
    m = selectors.meeting_get_for_user(user=user, meeting_id=meeting_id)
    return MeetingOut(id=m.pk, panel=m.panel.name, held_on=m.held_on,
                      items=[AgendaItemOut.of(i, user) for i in selectors.meeting_items(meeting=m)])


@router.post("/panel-meetings/{meeting_id}/items/{item_id}/decision", response={200: AgendaItemOut, **WRITE},
             summary="Record the panel's decision on a case",
             description="Each action becomes a task on the case with its owner and due date.",
             operation_id="panel_decision")
def decide(request, payload: PanelDecisionIn, meeting_id: int = PathId, item_id: int = PathId):
    user = request.auth
    m = selectors.meeting_get_for_user(user=user, meeting_id=meeting_id)
    policy.require_caseworker(user)
    item = next((i for i in selectors.meeting_items(meeting=m) if i.pk == item_id), None)
    if item is None:
        raise Http404("No such item")
    officers = {o.pk: o for o in case_officers(user=user)}
    actions: list[tuple[str, User | None, date | None]] = []
    for n, a in enumerate(payload.actions):
        if a.owner_id not in officers:
            raise service_error(DjangoValidationError({"owner_id": "Choose an officer of this authority"}),
                                {"owner_id": ("body", "actions", n, "owner_id")})
        actions.append((a.title, officers[a.owner_id], a.due_on))
    _run(lambda: services.agenda_decide(actor=user, item=item, decision=payload.decision,
                                        restricted_notes=payload.restricted_notes, actions=actions))
    item = next(i for i in selectors.meeting_items(meeting=m) if i.pk == item_id)
    return AgendaItemOut.of(item, user)
