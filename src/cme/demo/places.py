"""The demo's places (issue 13): coordinates for every demo postcode, places by year group at
every school, the alternative provision directory, requests for a place in every state, and one
Fair Access panel with a meeting and its minutes. Small and deterministic.

The demo's postcodes are fictional (NM and ED are not real postcode areas), so their coordinates
are made: each district's centre comes from places/data/demo_postcode_districts.csv and each
postcode sits at a fixed offset from it (up to about 1.5 km) taken from a hash of the postcode,
so the same postcode always has the same point.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
from pathlib import Path

from django.db.models import Count
from django.utils import timezone

from cme.cases.models import Case, Stage
from cme.people.models import Address
from cme.places import ranking, selectors, services
from cme.places.models import PanelKind, ProviderProfile, RequestKind, YearGroupPlaces
from cme.places.postcodes import normalise
from cme.providers.models import Enrolment, Organisation, OrgKind

DISTRICTS = Path(__file__).resolve().parent.parent / "places" / "data" / "demo_postcode_districts.csv"
SPREAD_KM = 1.5


def _districts() -> dict[str, tuple[float, float]]:
    with DISTRICTS.open(encoding="utf-8") as f:
        return {row["district"]: (float(row["lat"]), float(row["long"])) for row in csv.DictReader(f)}


def demo_point(postcode: str, districts: dict[str, tuple[float, float]]) -> tuple[float, float] | None:
    """The made coordinates of a demo postcode, or None outside the demo's districts."""
    pc = normalise(postcode)
    centre = districts.get(pc.split(" ")[0])
    if centre is None:
        return None
    digest = hashlib.sha256(pc.encode()).digest()
    angle = digest[0] / 256 * 2 * math.pi
    km = digest[1] / 256 * SPREAD_KM
    return (round(centre[0] + km * math.cos(angle) / 111.2, 6),
            round(centre[1] + km * math.sin(angle) / (111.2 * math.cos(math.radians(centre[0]))), 6))


def build_demo_places(authorities, *, today: dt.date | None = None, log=print) -> None:
    today = today or timezone.localdate()
    districts = _districts()
    postcodes = set(Address.objects.exclude(postcode="").values_list("postcode", flat=True))
    postcodes |= set(Organisation.objects.exclude(postcode="").values_list("postcode", flat=True))
    points = {normalise(pc): p for pc in postcodes if (p := demo_point(pc, districts))}
    services.postcodes_store(points=points)
    log(f"Places: coordinates for {len(points):,} demo postcodes")
    for auth in authorities:
        _places(auth, today)
        _directory(auth, today)
        made = _requests(auth, today)
        _panel(auth, today)
        log(f"{auth.la.name}: places at every school, {len(auth.aps) + 1} in the AP directory, "
            f"{made} requests for a place, a panel with minutes")


def _places(auth, today: dt.date) -> None:
    counts: dict[tuple[int, str], int] = {
        (p, y): n for p, y, n in Enrolment.objects.filter(provider__la=auth.la, leaving_date__isnull=True)
        .exclude(year_group="").values_list("provider_id", "year_group").annotate(n=Count("id")).order_by()}
    figures = []
    schools = list(Organisation.objects.filter(la=auth.la, kind=OrgKind.SCHOOL).order_by("estab", "pk"))
    for i, school in enumerate(schools):
        low, high = ranking.PHASE_YEARS.get(school.phase, (0, 11))
        high = min(high, 13)
        for year in range(low, high + 1):
            label = ranking.year_label(year)
            on_roll = counts.get((school.pk, label), 0)
            spare = (i * 7 + year * 3) % 5  # 0 to 4 places free; 0 is a full year group
            figures.append(YearGroupPlaces(
                provider=school, year_group=label, capacity=on_roll + spare, on_roll=on_roll,
                roll_counted_at=timezone.now() - dt.timedelta(days=45 if i % 6 == 5 else 2),
                capacity_given_on=today - dt.timedelta(days=90)))
    YearGroupPlaces.objects.bulk_create(figures)
    # The demo school's own figure, given last week.
    if auth.named_school is not None:
        mine = YearGroupPlaces.objects.filter(provider=auth.named_school).order_by("id").first()
        if mine is not None:
            mine.school_places_free = 2
            mine.school_given_on = today - dt.timedelta(days=7)
            mine.school_given_by = auth.users.get("school")
            mine.save()


def _directory(auth, today: dt.date) -> None:
    offers = [("semh,excluded", "Referral by the CME team after a needs assessment", 25, 310, 12),
              ("medical", "Referral by the medical needs panel", 15, 280, None),
              ("newly_arrived,sen", "Direct referral by the authority or a school", 20, 240, 8)]
    providers = [p for p in [auth.pru, *auth.aps] if p is not None]
    for i, provider in enumerate(providers):
        needs, route, hours, cost, serves = offers[i % len(offers)]
        ProviderProfile.objects.create(
            provider=provider, low_year=7, high_year=11, needs_met=needs, referral_route=route,
            hours_per_week=hours, cost_per_week=cost, serves_km=serves, places_free=[3, 1, 5, 0][i % 4],
            places_given_on=today - dt.timedelta(days=3 + 20 * (i % 3)))


def _requests(auth, today: dt.date) -> int:
    """Requests in every state on the authority's cases that have reached "needs determined"."""
    officer = auth.users["officer"]
    school_user = auth.users.get("school")
    cases = list(Case.objects.filter(la=auth.la, stage__in=[Stage.NEEDS_DETERMINED, Stage.LOCATED])
                 .select_related("child").order_by("-stage", "reference")[:20])
    suggested = [(case, found) for case in cases if (found := selectors.case_places(case=case, today=today)[1])]
    if not suggested:
        return 0
    named_id = auth.named_school.pk if auth.named_school else None
    # The demo school's own user has a request waiting for its answer, when any child fits it.
    first = next((i for i, (_, found) in enumerate(suggested) if any(s.option.id == named_id for s in found)), 0)
    suggested = suggested[first:] + suggested[:first]
    made = 0
    asked_for: set[tuple[int, int]] = set()
    states = ["waiting", "offered", "refused", "no_answer", "withdrawn"]
    for n, state in enumerate(states):
        case, found = suggested[n % min(5, len(suggested))]
        providers = [s.option for s in found]
        named = next((p for p in providers if p.id == named_id), None)
        rotation = providers[(n + 1) % len(providers):] + providers[:(n + 1) % len(providers)]
        free = [p for p in ([named] if named and state == "waiting" else []) + rotation if (case.pk, p.id) not in asked_for]
        if not free:
            continue
        pick = free[0]
        asked_for.add((case.pk, pick.id))
        provider = Organisation.objects.get(pk=pick.id)
        asked = today - dt.timedelta(days=[3, 12, 20, 26, 8][n])
        kind = RequestKind.COMMISSION if provider.kind in (OrgKind.ALTERNATIVE_PROVISION, OrgKind.PRU) else RequestKind.ADMISSION
        request = services.placement_request(actor=case.responsible_officer or officer, case=case, provider=provider,
                                             kind=kind, year_group=ranking.year_label(found[0].year),
                                             note="Family keen for a prompt start", requested_on=asked)
        made += 1
        answerer = school_user if (school_user and provider.pk == school_user.organisation_id) else officer
        if state == "offered":
            services.placement_answer(actor=answerer, request=request, answer="offered",
                                      start_on=today + dt.timedelta(days=6), answered_on=asked + dt.timedelta(days=5))
            services.placement_accept(actor=officer, request=request)
        elif state == "refused":
            services.placement_answer(actor=answerer, request=request, answer="refused",
                                      reason="The year group is at its published admission number",
                                      answered_on=asked + dt.timedelta(days=9))
        elif state == "no_answer":
            services.placement_answer(actor=officer, request=request, answer="no_answer", answered_on=today)
        elif state == "withdrawn":
            services.placement_withdraw(actor=officer, request=request)
    return made


def _panel(auth, today: dt.date) -> None:
    manager = auth.users["manager"]
    officer = auth.users["officer"]
    panel = services.panel_create(actor=manager, name=f"{auth.la.name} Fair Access panel", kind=PanelKind.FAIR_ACCESS,
                                  members=[("Chair: head of access and inclusion", "The authority"),
                                           ("Secondary headteacher", "Secondary schools"),
                                           ("Primary headteacher", "Primary schools"),
                                           ("Pupil referral unit head", "Alternative provision")])
    candidates = selectors.agenda_candidates(user=officer, today=today)
    meeting = services.meeting_create(actor=officer, panel=panel, held_on=today - dt.timedelta(days=2),
                                      cases=candidates, attendees="Chair, two headteachers, PRU head, CME officer")
    for item in selectors.meeting_items(meeting=meeting):
        services.agenda_decide(
            actor=manager, item=item, decision="Allocate a place under the Fair Access Protocol at the nearest "
                                               "school with a place; the authority to confirm with the family.",
            restricted_notes="The family's address is not to be shared with the previous school.",
            actions=[("Confirm the Fair Access allocation with the school and the family", officer,
                      today + dt.timedelta(days=5))])
