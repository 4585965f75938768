"""Reads of places, the AP directory, placement requests and panels. A case is reached only
through the cases' own door (case_get_for_user); a request through request_get_for_user, which
lets the authority's staff see their authority's requests and a provider's staff only the
requests made to their provider."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cme.accounts import policy
from cme.audit.models import Action
from cme.audit.services import audit_access_refused, audit_record
from cme.cases.casework.models import NeedsAssessment, SenStatus
from cme.cases.register.models import Case, Reason
from cme.core import sql
from cme.people.models import Address
from cme.places import ranking
from cme.places.models import (
    AgendaItem,
    Panel,
    PanelMeeting,
    PlacementRequest,
    Postcode,
    ProviderProfile,
    RequestState,
    YearGroupPlaces,
)
from cme.providers.models import OPEN_STATUSES, PROVIDER_KINDS, Enrolment, Organisation, OrgKind

SUGGESTED_KINDS = [k for k in PROVIDER_KINDS if k != OrgKind.HOME_EDUCATION]


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code: "ab1 2cd" -> "AB1 2CD"."""
    compact = "".join((value or "").split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def coordinates(postcodes: list[str]) -> dict[str, tuple[float, float]]:
    wanted = {normalise_postcode(p) for p in postcodes if p}
    if not wanted:
        return {}
    return {pc: (lat, lon) for pc, lat, lon in
            Postcode.objects.filter(postcode__in=wanted).values_list("postcode", "latitude", "longitude")}


def stale_before(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) - dt.timedelta(days=settings.CME_PLACES_STALE_DAYS)


# -- places --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlacesRow:
    year_group: str
    capacity: int
    on_roll: int
    places_free: int
    school_figure: int | None
    figure_date: dt.date | None
    stale: bool
    given_by: str


def provider_places(*, provider: Organisation, today: dt.date | None = None) -> list[PlacesRow]:
    """A provider's places by year group, in year order, each marked stale when old."""
    limit = stale_before(today)
    rows = []
    for f in YearGroupPlaces.objects.filter(provider=provider).select_related("school_given_by"):
        date = f.figure_date
        rows.append(PlacesRow(year_group=f.year_group, capacity=f.capacity, on_roll=f.on_roll,
                              places_free=f.places_free, school_figure=f.school_places_free,
                              figure_date=date, stale=date is None or date < limit,
                              given_by=str(f.school_given_by) if f.school_given_by else ""))
    rows.sort(key=lambda r: ranking.year_number(r.year_group) or 0)
    return rows


def providers_for_places(*, user) -> QuerySet[Organisation]:
    """The providers whose places a person may see: the authority's staff all of theirs; a
    provider's staff their own."""
    if policy.is_la_staff(user):
        return Organisation.objects.filter(la_id=user.organisation_id, kind__in=SUGGESTED_KINDS)
    if policy.may_update_places(user, user.organisation):
        return Organisation.objects.filter(pk=user.organisation_id)
    return Organisation.objects.none()


def provider_get_for_places(*, user, provider_id: int) -> Organisation:
    found = providers_for_places(user=user).filter(pk=provider_id).first()
    if found is None:
        raise Http404("No such provider")
    return found


def ap_directory(*, user) -> list[tuple[Organisation, ProviderProfile | None]]:
    """The directory of alternative provision of the person's authority."""
    policy.require_la_staff(user)
    providers = list(Organisation.objects.filter(
        la_id=user.organisation_id, kind__in=[OrgKind.ALTERNATIVE_PROVISION, OrgKind.PRU]
    ).select_related("places_profile").order_by("name"))
    return [(p, getattr(p, "places_profile", None)) for p in providers]


def refresh_counts_query(provider_id: int) -> dict[str, int]:
    return dict(Enrolment.objects.filter(provider_id=provider_id, leaving_date__isnull=True)
                .exclude(year_group="").values("year_group").annotate(n=Count("id"))
                .values_list("year_group", "n").order_by())


# -- suggestions ---------------------------------------------------------------------------------


def _current_address(child_id: int) -> Address | None:
    return Address.objects.filter(child_id=child_id, lived_to__isnull=True).order_by("-lived_from", "-id").first()


def _sibling_providers(child_id: int, address: Address | None) -> set[int]:
    """Providers where a child living at the same address (a brother or sister) is on roll."""
    if address is None or not address.line1 or not address.postcode:
        return set()
    siblings = Address.objects.filter(
        line1__iexact=address.line1, postcode__iexact=address.postcode, lived_to__isnull=True
    ).exclude(child_id=child_id).values("child_id")
    return set(Enrolment.objects.filter(child_id__in=siblings, leaving_date__isnull=True)
               .values_list("provider_id", flat=True))


def child_for_ranking(*, case: Case, today: dt.date | None = None, year: int | None = None
                      ) -> tuple[ranking.Child, list[str]]:
    """The child of a case as the ranking reads it, and what could not be worked out (in words)."""
    today = today or timezone.localdate()
    child = case.child
    gaps: list[str] = []
    age = ranking.age_on(child.date_of_birth, today) if child.date_of_birth else None
    if year is None:
        if child.date_of_birth:
            year = ranking.year_group_for(child.date_of_birth, today)
        else:
            year = 7
            gaps.append("No date of birth: Year 7 assumed; choose the year group")
    needs: set[str] = set()
    recommended = ""
    preferences = ""
    assessment = NeedsAssessment.objects.filter(case=case).order_by("-created_at", "-id").first()
    if assessment is not None:
        if assessment.sen_status == SenStatus.EHCP:
            needs.add("ehcp")
        elif assessment.sen_status == SenStatus.SEN_SUPPORT:
            needs.add("sen")
        if assessment.health.strip():
            needs.add("medical")
        recommended = assessment.recommended_provision
        preferences = f"{assessment.parent_preferences} {assessment.child_preferences}".lower()
    else:
        gaps.append("No needs assessment: needs and preferences are not known")
    if case.reason == Reason.EXCLUSION:
        needs.add("excluded")
    address = _current_address(child.pk)
    lat = lon = None
    if address is not None and address.postcode:
        point = coordinates([address.postcode]).get(normalise_postcode(address.postcode))
        if point:
            lat, lon = point
        else:
            gaps.append("No coordinates for the child's postcode: distances are not known")
    else:
        gaps.append("No current address: distances are not known")
    preferred: set[int] = set()
    if preferences.strip():
        for pk, name in Organisation.objects.filter(la_id=case.la_id, kind__in=SUGGESTED_KINDS).values_list("pk", "name"):
            if name.lower() in preferences:
                preferred.add(pk)
    return ranking.Child(year=year, age=age, needs=frozenset(needs), lat=lat, lon=lon,
                         recommended=recommended, preferred=frozenset(preferred),
                         sibling_schools=frozenset(_sibling_providers(child.pk, address))), gaps


def options_for(*, la_id: int, year: int, today: dt.date | None = None) -> list[ranking.Option]:
    """Every provider of the authority as the ranking reads it, with its places in one year group:
    three queries whatever the number of providers."""
    label = ranking.year_label(year)
    limit = stale_before(today)
    providers = list(Organisation.objects.filter(la_id=la_id, kind__in=SUGGESTED_KINDS).values_list(
        "pk", "la_code", "estab", "name", "kind", "phase", "status", "is_open", "statutory_low_age",
        "statutory_high_age", "postcode",
        "places_profile__low_year", "places_profile__high_year", "places_profile__needs_met",
        "places_profile__serves_km", "places_profile__places_free", "places_profile__places_given_on",
    ))
    figures = {f.provider_id: f for f in YearGroupPlaces.objects.filter(
        provider__la_id=la_id, year_group=label).only(
        "provider_id", "capacity", "on_roll", "school_places_free", "school_given_on", "roll_counted_at",
        "capacity_given_on")}
    points = coordinates([p[10] for p in providers])
    out = []
    for (pk, la_code, estab, name, kind, phase, status, is_open, low_age, high_age, postcode,
         low_year, high_year, needs_met, serves_km, any_free, any_given_on) in providers:
        figure = figures.get(pk)
        free: dict[int, int] = {}
        date = None
        if figure is not None:
            free[year] = figure.places_free
            date = figure.figure_date
        elif any_free is not None:
            free[year] = any_free
            date = any_given_on
        point = points.get(normalise_postcode(postcode)) if postcode else None
        out.append(ranking.Option(
            id=pk, laestab=f"{la_code}{estab}" if la_code and estab else "", name=name, kind=kind,
            phase=phase or "", closed=not is_open or status not in OPEN_STATUSES, places_free=free,
            low_year=low_year, high_year=high_year, low_age=low_age, high_age=high_age,
            needs_met=frozenset(n for n in (needs_met or "").split(",") if n),
            lat=point[0] if point else None, lon=point[1] if point else None,
            serves_km=float(serves_km) if serves_km is not None else None,
            stale=date is None or date < limit,
        ))
    return out


def case_places(*, case: Case, year: int | None = None, today: dt.date | None = None, limit: int = 20
                ) -> tuple[ranking.Child, list[ranking.Suggestion], list[str]]:
    """The suitable places for the child of a case (reached through its door), best first."""
    child, gaps = child_for_ranking(case=case, today=today, year=year)
    return child, ranking.suggest(child, options_for(la_id=case.la_id, year=child.year, today=today), limit), gaps


# -- placement requests --------------------------------------------------------------------------


def requests_visible_to(user) -> QuerySet[PlacementRequest]:
    """The authority's staff: their authority's requests; a provider's staff: those made to it."""
    qs = PlacementRequest.objects.select_related("case", "provider", "case__child", "requested_by", "answered_by")
    if policy.is_la_staff(user):
        return qs.filter(case__la_id=user.organisation_id)
    if policy.may_answer_placement_requests(user):
        return qs.filter(provider_id=user.organisation_id)
    return qs.none()


def request_get_for_user(*, user, request_id: int, require: Callable[[Any, Any], None] | None = None
                         ) -> PlacementRequest:
    """The door to one placement request: audited, and 404 (with the refusal audited) outside scope.
    require(user, request) refuses (403) before the read is recorded as a view."""
    found = requests_visible_to(user).filter(pk=request_id).first()
    if found is None:
        audit_access_refused(actor=user, object_type="placement_request", object_id=request_id,
                             owner=PlacementRequest.objects.filter(pk=request_id), la_field="case__la_id")
        raise Http404("No such request")
    if require is not None:
        require(user, found)
    with transaction.atomic():
        audit_record(actor=user, action=Action.VIEW, object_type="placement_request", object_id=found.pk,
                     child_id=found.case.child_id, la_id=found.case.la_id,
                     summary=f"Viewed the placement request {found.pk} to {found.provider.name}")
    return found


def case_requests(*, case: Case) -> list[PlacementRequest]:
    return list(case.placement_requests.select_related("provider", "requested_by", "answered_by"))


def provider_requests(*, user) -> list[PlacementRequest]:
    """The requests a provider's staff answer (their provider's), newest first."""
    return list(requests_visible_to(user).order_by("-requested_on", "-id"))


def term_of(day: dt.date) -> str:
    """The school term a date falls in, by month: autumn September to December, spring January
    to March, summer April to August (near enough for counting refusals)."""
    if day.month >= 9:
        return f"Autumn {day.year}"
    if day.month <= 3:
        return f"Spring {day.year}"
    return f"Summer {day.year}"


def refusals_by_school(*, user) -> list[tuple[str, str, int]]:
    """Refusals per provider per term, for managers: (provider, term, count), most first."""
    policy.require_manager(user)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for name, on in (PlacementRequest.objects.filter(case__la_id=user.organisation_id, state=RequestState.REFUSED)
                     .values_list("provider__name", "answered_on")):
        counts[(name, term_of(on) if on else "Not dated")] += 1
    return sorted(((n, t, c) for (n, t), c in counts.items()), key=lambda r: (-r[2], r[0], r[1]))


def placement_events(cases: list[Case]) -> dict[int, dict[str, dt.date | None]]:
    """The clock events of placement requests (one query): a provider asked (the earliest request
    still waiting, else the first), answered (when none waits: the last answer), and offered."""
    rows: dict[int, list[tuple[str, dt.date, dt.date | None]]] = defaultdict(list)
    ids = [c.pk for c in cases]
    if not ids:
        return {}
    # As SQL: every case list and case page asks it, and building it through the ORM cost more
    # than running it.
    m = PlacementRequest
    names = ("case", "state", "requested_on", "answered_on")
    fetched = sql.select(
        f"SELECT {', '.join(sql.column(m, n) for n in names)} FROM {sql.table(m)} t"  # noqa: S608
        f" WHERE t.{sql.column(m, 'case')} IN ({sql.placeholders(len(ids))}) AND t.{sql.column(m, 'state')} <> %s",
        [*ids, RequestState.WITHDRAWN.value], [None, *(sql.field(m, n) for n in names[1:])])
    for case_id, state, requested_on, answered_on in fetched:
        rows[case_id].append((state, requested_on, answered_on))
    out: dict[int, dict[str, dt.date | None]] = {}
    for case_id, found in rows.items():
        waiting = [r for s, r, _ in found if s == RequestState.WAITING]
        answered = [a for s, _, a in found if s != RequestState.WAITING and a is not None]
        offered = [a for s, _, a in found if s == RequestState.OFFERED and a is not None]
        out[case_id] = {
            "placement_requested": min(waiting) if waiting else min(r for _, r, _ in found),
            "placement_answered": None if waiting else (max(answered) if answered else None),
            "place_offered": min(offered) if offered else None,
        }
    return out


# -- panels --------------------------------------------------------------------------------------


def panels_visible_to(user) -> QuerySet[Panel]:
    if not policy.is_la_staff(user):
        return Panel.objects.none()
    return Panel.objects.filter(la_id=user.organisation_id)


def meeting_get_for_user(*, user, meeting_id: int) -> PanelMeeting:
    found = PanelMeeting.objects.filter(panel__in=panels_visible_to(user), pk=meeting_id).select_related("panel").first()
    if found is None:
        audit_access_refused(actor=user, object_type="panel_meeting", object_id=meeting_id,
                             owner=PanelMeeting.objects.filter(pk=meeting_id), la_field="panel__la_id")
        raise Http404("No such meeting")
    return found


def agenda_candidates(*, user, today: dt.date | None = None) -> list[tuple[Case, str]]:
    """Cases a panel should consider: an open case whose request was refused and which has no
    place yet, or whose placement clock has run out. (case, why) in case order."""
    from cme.cases.queues.clocks import OVERDUE
    from cme.cases.queues.selectors import clocks_for_cases
    from cme.cases.register.selectors import cases_visible_to

    cases = list(cases_visible_to(user).filter(
        Q(placement_requests__isnull=False), provision_starts_on__isnull=True
    ).exclude(stage="closed").distinct().select_related("child", "la"))
    if not cases:
        return []
    refused = set(PlacementRequest.objects.filter(case__in=cases, state__in=[RequestState.REFUSED, RequestState.NO_ANSWER])
                  .values_list("case_id", flat=True))
    states = clocks_for_cases(cases, today=today)
    out = []
    for case in cases:
        why = []
        if case.pk in refused:
            why.append("a request for a place was refused or not answered")
        late = [s.name for s in states[case.pk] if s.state == OVERDUE and s.key.startswith("placement")]
        if late:
            why.append("clock run out: " + ", ".join(late))
        if why:
            out.append((case, "; ".join(why).capitalize()))
    return out


def meeting_items(*, meeting: PanelMeeting) -> list[AgendaItem]:
    return list(meeting.items.select_related("case", "case__child", "decided_by").prefetch_related(
        "actions__task__assigned_to"))
