"""Business actions of places, placement requests, watching a new start, and panels. Each is
keyword-only, in a transaction, and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cme.accounts import policy
from cme.accounts.models import User
from cme.attendance import codes as C
from cme.attendance.models import RegisterYear
from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.cases.casework import services as casework
from cme.cases.queues.services import task_create
from cme.cases.register.models import Case, Task
from cme.cases.register.services import audit_case
from cme.places import ranking
from cme.places.models import (
    AgendaItem,
    Need,
    Panel,
    PanelAction,
    PanelKind,
    PanelMeeting,
    PanelMember,
    PlacementRequest,
    ProviderProfile,
    ProvisionWatch,
    RequestKind,
    RequestState,
    WatchState,
    YearGroupPlaces,
)
from cme.places.selectors import refresh_counts_query
from cme.providers.models import OPEN_STATUSES, Enrolment, Organisation


def _audit_provider(actor, provider: Organisation, summary: str, detail: dict | None = None) -> None:
    audit_record(actor=actor, action=Action.CHANGE, object_type="provider", object_id=provider.pk,
                 la_id=provider.la_id, summary=summary, detail=detail)


def _year(label: str, field_name: str = "year_group") -> str:
    label = (label or "").strip().upper()
    if ranking.year_number(label) is None:
        raise ValidationError({field_name: "Enter a year group: N1, N2, R, or 1 to 14"})
    return label


# -- postcodes ----------------------------------------------------------------------------------


@transaction.atomic
def postcodes_store(*, points: dict[str, tuple[float, float]]) -> int:
    """Add or replace postcodes' coordinates (all or nothing): how many were stored."""
    from cme.places.models import Postcode

    rows = [Postcode(postcode=pc, latitude=lat, longitude=lon) for pc, (lat, lon) in points.items()]
    Postcode.objects.bulk_create(rows, batch_size=2000, update_conflicts=True, unique_fields=["postcode"],
                                 update_fields=["latitude", "longitude"])
    audit_record(actor=None, action=Action.IMPORT, object_type="postcodes", summary=f"Loaded {len(rows)} postcodes' coordinates")
    return len(rows)


# -- places --------------------------------------------------------------------------------------


@transaction.atomic
def places_set_capacity(*, actor: User, provider: Organisation, year_group: str, capacity: int,
                        given_on: dt.date | None = None) -> YearGroupPlaces:
    """A provider's published admission number or capacity in one year group."""
    policy.require_places_keeper(actor)
    policy.require_places_updater(actor, provider)
    label = _year(year_group)
    if capacity is None or not 0 <= capacity <= 2000:
        raise ValidationError({"capacity": "Enter the capacity as a whole number from 0 to 2000"})
    figure, _ = YearGroupPlaces.objects.get_or_create(provider=provider, year_group=label, defaults={"capacity": capacity})
    figure.capacity = capacity
    figure.capacity_given_on = given_on or timezone.localdate()
    on_roll = refresh_counts_query(provider.pk).get(label, 0)
    figure.on_roll, figure.roll_counted_at = on_roll, timezone.now()
    figure.save()
    _audit_provider(actor, provider, f"Set the capacity of {provider.name} in year {label} to {capacity}",
                    {"year_group": label, "capacity": capacity})
    return figure


@transaction.atomic
def places_school_update(*, actor: User, provider: Organisation, year_group: str, places_free: int | None,
                         given_on: dt.date | None = None) -> YearGroupPlaces:
    """The school's own figure of places free in a year group (None clears it: the count from the
    roll is used again)."""
    policy.require_places_updater(actor, provider)
    label = _year(year_group)
    if places_free is not None and not 0 <= places_free <= 2000:
        raise ValidationError({"places_free": "Enter the places free as a whole number from 0 to 2000"})
    given_on = given_on or timezone.localdate()
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": "The date cannot be in the future"})
    figure = YearGroupPlaces.objects.filter(provider=provider, year_group=label).first()
    if figure is None:
        figure = YearGroupPlaces(provider=provider, year_group=label, capacity=places_free or 0)
    figure.school_places_free = places_free
    figure.school_given_on = given_on if places_free is not None else None
    figure.school_given_by = actor if places_free is not None else None
    figure.save()
    _audit_provider(actor, provider, f"Gave {provider.name}'s places free in year {label}: {places_free}",
                    {"year_group": label, "places_free": places_free})
    return figure


def places_refresh_roll(*, provider_id: int) -> int:
    """Recount the pupils on a provider's roll by year group (after a roll import): figures updated."""
    counts = refresh_counts_query(provider_id)
    now = timezone.now()
    figures = list(YearGroupPlaces.objects.filter(provider_id=provider_id))
    for f in figures:
        f.on_roll = counts.get(f.year_group, 0)
        f.roll_counted_at = now
    YearGroupPlaces.objects.bulk_update(figures, ["on_roll", "roll_counted_at"])
    return len(figures)


@transaction.atomic
def profile_save(*, actor: User, provider: Organisation, low_year: str = "", high_year: str = "",
                 needs_met: list[str] | None = None, referral_route: str = "",
                 hours_per_week: Decimal | None = None, cost_per_week: Decimal | None = None,
                 serves_km: Decimal | None = None, places_free: int | None = None) -> ProviderProfile:
    """What a provider offers, for the directory of alternative provision."""
    policy.require_places_keeper(actor)
    policy.require_places_updater(actor, provider)
    errors = {}
    low = ranking.year_number(low_year) if low_year else None
    high = ranking.year_number(high_year) if high_year else None
    if low_year and low is None:
        errors["low_year"] = "Enter a year group: N1, N2, R, or 1 to 14"
    if high_year and high is None:
        errors["high_year"] = "Enter a year group: N1, N2, R, or 1 to 14"
    if low is not None and high is not None and low > high:
        errors["high_year"] = "The highest year group must not be below the lowest"
    needs = sorted(set(needs_met or []))
    if any(n not in Need.values for n in needs):
        errors["needs_met"] = "Choose needs from the list"
    if errors:
        raise ValidationError(errors)
    profile, _ = ProviderProfile.objects.get_or_create(provider=provider)
    profile.low_year, profile.high_year = low, high
    profile.needs_met = ",".join(needs)
    profile.referral_route = (referral_route or "").strip()
    profile.hours_per_week, profile.cost_per_week, profile.serves_km = hours_per_week, cost_per_week, serves_km
    if places_free != profile.places_free:
        profile.places_given_on = timezone.localdate() if places_free is not None else None
    profile.places_free = places_free
    profile.save()
    _audit_provider(actor, provider, f"Updated the directory entry of {provider.name}")
    return profile


# -- placement requests --------------------------------------------------------------------------


def _audit_request(actor, request: PlacementRequest, summary: str, action: str = Action.CHANGE) -> None:
    audit_record(actor=actor, action=action, object_type="placement_request", object_id=request.pk,
                 child_id=request.case.child_id, la_id=request.case.la_id, summary=summary)


@transaction.atomic
def placement_request(*, actor: User, case: Case, provider: Organisation, kind: str, year_group: str,
                      note: str = "", requested_on: dt.date | None = None) -> PlacementRequest:
    """Ask a provider for a place for the child of a case."""
    policy.require_caseworker(actor)
    errors: dict[str, str | list[str]] = {}
    if not case.is_open:
        errors["case"] = "Places cannot be asked for on a closed case"
    if kind not in RequestKind.values:
        errors["kind"] = "Choose an in-year admission or an alternative provision commission"
    if provider.la_id != case.la_id or not provider.is_provider:
        errors["provider"] = "Choose a provider of this authority"
    elif not provider.is_open or provider.status not in OPEN_STATUSES:
        errors["provider"] = "That provider is closed"
    requested_on = requested_on or timezone.localdate()
    if requested_on > timezone.localdate():
        errors["requested_on"] = "The date cannot be in the future"
    if PlacementRequest.objects.filter(case=case, provider=provider, state=RequestState.WAITING).exists():
        errors["provider"] = "That provider has already been asked and has not answered"
    try:
        label = _year(year_group)
    except ValidationError as e:
        errors.update(e.message_dict)
    if errors:
        raise ValidationError(errors)
    request = PlacementRequest.objects.create(case=case, provider=provider, kind=kind, year_group=label,
                                              note=(note or "").strip(), requested_on=requested_on,
                                              requested_by=actor)
    _audit_request(actor, request, f"Asked {provider.name} for a place for case {case.reference}", Action.CREATE)
    return request


@transaction.atomic
def placement_answer(*, actor: User, request: PlacementRequest, answer: str, start_on: dt.date | None = None,
                     reason: str = "", answered_on: dt.date | None = None) -> PlacementRequest:
    """The provider's answer, recorded by the provider's staff or by an officer: offered (with a
    start date), refused (with a reason) or no answer."""
    policy.require_request_answerer(actor, request)
    today = timezone.localdate()
    answered_on = answered_on or today
    errors = {}
    if request.state != RequestState.WAITING:
        errors["answer"] = "This request has been answered already"
    if answer not in (RequestState.OFFERED, RequestState.REFUSED, RequestState.NO_ANSWER):
        errors["answer"] = "Choose offered, refused or no answer"
    if answer == RequestState.OFFERED and start_on is None:
        errors["start_on"] = "Enter the date the child can start"
    if answer == RequestState.REFUSED and not (reason or "").strip():
        errors["reason"] = "Enter why the place was refused"
    if answer == RequestState.NO_ANSWER and not policy.may_work_cases(actor):
        errors["answer"] = "Only the authority records that a provider did not answer"
    if answered_on > today or answered_on < request.requested_on:
        errors["answered_on"] = "The date must be between the request and today"
    if start_on is not None and start_on < answered_on:
        errors["start_on"] = "The start date cannot be before the answer"
    if errors:
        raise ValidationError(errors)
    request.state = answer
    request.answered_on, request.answered_by = answered_on, actor
    request.start_on = start_on if answer == RequestState.OFFERED else None
    request.refusal_reason = (reason or "").strip() if answer == RequestState.REFUSED else ""
    request.save()
    _audit_request(actor, request, f"Recorded {request.provider.name}'s answer ({request.get_state_display()}) "
                                   f"for case {request.case.reference}")
    return request


@transaction.atomic
def placement_accept(*, actor: User, request: PlacementRequest) -> PlacementRequest:
    """The family takes the place offered: the provider becomes the case's provision and the start
    date its start (the case moves on as its stage rules allow), and attendance there is watched."""
    policy.require_caseworker(actor)
    if request.state != RequestState.OFFERED or request.start_on is None:
        raise ValidationError({"request": "Only an offer with a start date can be taken up"})
    if request.accepted_on is not None:
        raise ValidationError({"request": "This offer has been taken up already"})
    case = casework.case_provision_identify(actor=actor, case=request.case, provider=request.provider,
                                            on=timezone.localdate(), detail="Offered after a request for a place")
    casework.case_provision_start(actor=actor, case=case, starts_on=request.start_on)
    request.accepted_on = timezone.localdate()
    request.save(update_fields=["accepted_on"])
    ProvisionWatch.objects.filter(case=request.case, state=WatchState.WATCHING).delete()
    ProvisionWatch.objects.create(case=request.case, provider=request.provider, starts_on=request.start_on,
                                  school_days=settings.CME_WATCH_SCHOOL_DAYS)
    _audit_request(actor, request, f"The place at {request.provider.name} was taken up for case {request.case.reference}")
    return request


@transaction.atomic
def placement_withdraw(*, actor: User, request: PlacementRequest) -> PlacementRequest:
    policy.require_caseworker(actor)
    if request.state != RequestState.WAITING:
        raise ValidationError({"request": "Only a request still waiting can be withdrawn"})
    request.state = RequestState.WITHDRAWN
    request.save(update_fields=["state"])
    _audit_request(actor, request, f"Withdrew the request to {request.provider.name}")
    return request


# -- watching a new start ------------------------------------------------------------------------


@dataclass
class WatchReport:
    checked: int = 0
    settled: list[int] = field(default_factory=list)
    stopped: list[int] = field(default_factory=list)


# A child absent every session of this many school days in a row has stopped attending.
STOPPED_AFTER_DAYS = 3


def _attendance_days(watch: ProvisionWatch, on: dt.date) -> list[tuple[dt.date, bool | None]]:
    """(day, attended) for each day marked at the provider since the start: True when the child
    attended a session, False when absent from every possible session, None when no session."""
    enrolments = list(Enrolment.objects.filter(child_id=watch.case.child_id, provider_id=watch.provider_id)
                      .values_list("pk", flat=True))
    out: list[tuple[dt.date, bool | None]] = []
    for register in RegisterYear.objects.filter(enrolment_id__in=enrolments):
        data = bytes(register.marks)
        for d in range(len(data) // 2):
            day = register.start_date + dt.timedelta(days=d)
            if day < watch.starts_on or day > on:
                continue
            table = C.regime_codes(day)
            cats = [table.get(C.decode(data[2 * d + s])) for s in (0, 1)]
            cats2 = [c.category for c in cats if c is not None]
            if any(c.attended for c in cats2):
                out.append((day, True))
            elif any(c.possible for c in cats2):
                out.append((day, False))
    out.sort()
    return out


def watch_check(*, on: dt.date | None = None) -> WatchReport:
    """Watch attendance at each new provider: a child who has attended for the watch's school
    days may close "in provision" (a task tells the officer); a child who stops attending in that
    time reopens work (an urgent task). Idempotent: a watch decided stays decided."""
    on = on or timezone.localdate()
    due = max(on, timezone.localdate())  # a check run for a past day still asks for work from today
    report = WatchReport()
    for watch in ProvisionWatch.objects.filter(state=WatchState.WATCHING, starts_on__lte=on).select_related(
            "case", "provider", "case__responsible_officer"):
        report.checked += 1
        days = _attendance_days(watch, on)
        attended = sum(1 for _, a in days if a)
        run = 0
        for _, a in reversed(days):
            if a is False:
                run += 1
            else:
                break
        on_roll = Enrolment.objects.filter(child_id=watch.case.child_id, provider_id=watch.provider_id,
                                           leaving_date__isnull=True).exists()
        with transaction.atomic():
            watch.days_attended, watch.last_checked_on = attended, on
            watch.detail = "" if on_roll else f"Not on the roll of {watch.provider.name} yet: check the next roll import"
            case = watch.case
            if run >= STOPPED_AFTER_DAYS:
                watch.state = WatchState.STOPPED
                watch.detail = f"Absent for {run} school days in a row at {watch.provider.name}"
                if case.is_open:
                    watch.task = task_create(actor=None, case=case, urgent=True, due_on=due,
                                             assigned_to=case.responsible_officer,
                                             title=f"Stopped attending {watch.provider.name}: follow up")
                report.stopped.append(case.pk)
            elif attended >= watch.school_days:
                watch.state = WatchState.SETTLED
                watch.detail = f"Attended {attended} school days at {watch.provider.name}"
                if case.is_open:
                    watch.task = task_create(actor=None, case=case, due_on=due, assigned_to=case.responsible_officer,
                                             title=f"Attending {watch.provider.name} for {attended} school days: "
                                                   "the case may close in provision")
                report.settled.append(case.pk)
            watch.save()
            if watch.state != WatchState.WATCHING:
                audit_case(None, case, Action.CHANGE, f"Attendance watch at {watch.provider.name}: {watch.get_state_display()}")
    return report


# -- panels --------------------------------------------------------------------------------------


@transaction.atomic
def panel_create(*, actor: User, name: str, kind: str, members: Sequence[tuple[str, str]] = ()) -> Panel:
    policy.require_manager(actor)
    if not (name or "").strip():
        raise ValidationError({"name": "Enter the panel's name"})
    if kind not in PanelKind.values:
        raise ValidationError({"kind": "Choose a kind of panel"})
    if actor.organisation_id is None:
        raise ValidationError({"name": "Your account has no authority"})
    panel = Panel.objects.create(la_id=actor.organisation_id, name=name.strip(), kind=kind)
    for member_name, represents in members:
        PanelMember.objects.create(panel=panel, name=member_name, represents=represents)
    audit_record(actor=actor, action=Action.CREATE, object_type="panel", object_id=panel.pk,
                 la_id=panel.la_id, summary=f"Set up the panel {panel.name}")
    return panel


@transaction.atomic
def meeting_create(*, actor: User, panel: Panel, held_on: dt.date, cases: Sequence[tuple[Case, str]],
                   attendees: str = "") -> PanelMeeting:
    """A meeting of a panel with its agenda: the cases to decide, each with why it is there."""
    policy.require_caseworker(actor)
    if panel.la_id != actor.organisation_id:
        raise ValidationError({"panel": "Choose a panel of this authority"})
    meeting = PanelMeeting.objects.create(panel=panel, held_on=held_on, attendees=(attendees or "").strip(),
                                          created_by=actor)
    for case, why in cases:
        if case.la_id != panel.la_id:
            raise ValidationError({"cases": "Choose cases of this authority"})
        AgendaItem.objects.create(meeting=meeting, case=case, why=why[:300])
    audit_record(actor=actor, action=Action.CREATE, object_type="panel_meeting", object_id=meeting.pk,
                 la_id=panel.la_id, summary=f"Set up a meeting of {panel.name} on {held_on}",
                 child_ids=[c.child_id for c, _ in cases])
    return meeting


@transaction.atomic
def agenda_decide(*, actor: User, item: AgendaItem, decision: str, restricted_notes: str = "",
                  actions: Sequence[tuple[str, User | None, dt.date | None]] = ()) -> AgendaItem:
    """The panel's decision on one case, and its actions, each a task with an owner and due date."""
    policy.require_caseworker(actor)
    if not (decision or "").strip():
        raise ValidationError({"decision": "Enter the panel's decision"})
    if restricted_notes.strip() and not policy.may_see_panel_restricted(actor):
        raise ValidationError({"restricted_notes": "Your role cannot record restricted detail"})
    item.decision = decision.strip()
    if restricted_notes.strip():
        item.restricted_notes = restricted_notes.strip()
    item.decided_by, item.decided_at = actor, timezone.now()
    item.save()
    for title, owner, due_on in actions:
        if owner is None or due_on is None:
            raise ValidationError({"actions": "Give each action an owner and a due date"})
        task: Task = task_create(actor=actor, case=item.case, title=title, assigned_to=owner, due_on=due_on)
        PanelAction.objects.create(item=item, task=task)
    audit_case(actor, item.case, Action.CHANGE, f"Panel decision recorded for case {item.case.reference}",
               {"meeting": item.meeting_id})
    return item
