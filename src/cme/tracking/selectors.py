"""The doors to deletion returns, new entries and leavers: each scoped to the person, lists audited."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from cme.accounts import policy
from cme.audit.models import Action
from cme.audit.services import audit_access_refused, audit_record
from cme.providers.models import Organisation
from cme.tracking.models import DeletionReturn, Leaver, LeaverStatus, NewEntry


def deletion_returns_visible_to(user) -> QuerySet[DeletionReturn]:
    """The authority's staff: its returns; a provider's staff: its own; anyone else: none."""
    if policy.is_la_staff(user):
        return DeletionReturn.objects.filter(la_id=user.la_id)
    if policy.is_school_user(user) and user.organisation_id:
        return DeletionReturn.objects.filter(provider_id=user.organisation_id)
    return DeletionReturn.objects.none()


def leavers_visible_to(user) -> QuerySet[Leaver]:
    if policy.is_la_staff(user):
        return Leaver.objects.filter(la_id=user.la_id)
    return Leaver.objects.none()


def new_entries_visible_to(user) -> QuerySet[NewEntry]:
    if policy.is_la_staff(user):
        return NewEntry.objects.filter(la_id=user.la_id)
    if policy.is_school_user(user) and user.organisation_id:
        return NewEntry.objects.filter(provider_id=user.organisation_id)
    return NewEntry.objects.none()


def _audit_list(user, object_type: str, summary: str, ids: list, child_ids: list) -> None:
    audit_record(actor=user, action=Action.SEARCH, object_type=object_type, la_id=user.la_id,
                 summary=summary, detail={"ids": ids}, child_ids=[c for c in child_ids if c])


def leavers_list(*, user, status: str = LeaverStatus.UNRECONCILED, provider_id: int | None = None,
                 ground: str = "", limit: int | None = None) -> list[Leaver]:
    """Leavers of one status, the longest gone first (oldest leaving date), with the filters."""
    qs = leavers_visible_to(user).filter(status=status).select_related(
        "child", "provider", "referral", "found_enrolment__provider", "found_enrolment__child")
    if provider_id:
        qs = qs.filter(provider_id=provider_id)
    if ground:
        qs = qs.filter(ground="" if ground == "none" else ground)
    with transaction.atomic():
        rows = list(qs.order_by("leaving_date", "id")[:limit] if limit else qs.order_by("leaving_date", "id"))
        _audit_list(user, "leaver", f"Listed {len(rows)} leavers ({status})", [r.pk for r in rows],
                    [r.child_id for r in rows])
    return rows


def leaver_get_for_user(*, user, leaver_id: int, require=None) -> Leaver:
    """One leaver of the user's authority (audited), or 404 (the refusal audited)."""
    with transaction.atomic():
        leaver = (leavers_visible_to(user)
                  .select_related("child", "provider", "found_enrolment__provider", "found_enrolment__child")
                  .filter(pk=leaver_id).first())
        if leaver is not None:
            if require is not None:
                require(user)
            audit_record(actor=user, action=Action.VIEW, object_type="leaver", object_id=leaver.pk,
                         child_id=leaver.child_id, la_id=leaver.la_id, summary="Viewed a leaver")
    if leaver is None:
        audit_access_refused(actor=user, object_type="leaver", object_id=leaver_id,
                             owner=Leaver.objects.filter(pk=leaver_id))
        raise Http404("No such leaver")
    return leaver


def deletion_returns_list(*, user, limit: int = 200) -> list[DeletionReturn]:
    with transaction.atomic():
        rows = list(deletion_returns_visible_to(user).select_related("child", "provider")[:limit])
        _audit_list(user, "deletion_return", f"Listed {len(rows)} deletion returns", [r.pk for r in rows],
                    [r.child_id for r in rows])
    return rows


def new_entries_to_confirm(*, user) -> list[NewEntry]:
    with transaction.atomic():
        rows = list(new_entries_visible_to(user).filter(match_state=NewEntry.MatchState.TO_CONFIRM)
                    .select_related("provider", "matched_leaver__provider", "matched_case", "matched_child"))
        _audit_list(user, "new_entry", f"Listed {len(rows)} new entries to confirm", [r.pk for r in rows],
                    [r.matched_child_id for r in rows])
    return rows


def new_entry_get_for_user(*, user, entry_id: int, require=None) -> NewEntry:
    with transaction.atomic():
        entry = new_entries_visible_to(user).select_related("provider").filter(pk=entry_id).first()
        if entry is not None:
            if require is not None:
                require(user)
            audit_record(actor=user, action=Action.VIEW, object_type="new_entry", object_id=entry.pk,
                         child_id=entry.matched_child_id, la_id=entry.la_id, summary="Viewed a new entry")
    if entry is None:
        audit_access_refused(actor=user, object_type="new_entry", object_id=entry_id,
                             owner=NewEntry.objects.filter(pk=entry_id))
        raise Http404("No such new entry")
    return entry


# -- the off-rolling radar ----------------------------------------------------------------------


def term_of(day: dt.date, terms: Sequence[tuple[dt.date, str]] = ()) -> str:
    """The school term a day falls in, as people say it: "Autumn 2025", "Spring 2026". By the
    authority's term dates when given (`terms`: each term's start and name, in order; a holiday
    belongs to the term before it), else by the months terms usually span."""
    i = bisect.bisect_right([start for start, _ in terms], day) - 1
    if i >= 0:
        start, name = terms[i]
        return f"{name} {start.year}"
    if day.month >= 9:
        return f"Autumn {day.year}"
    return f"Spring {day.year}" if day.month <= 3 else f"Summer {day.year}"


def la_terms(*, la_id: int) -> list[tuple[dt.date, str]]:
    """The authority's terms from its term dates: half-terms taken together ("Autumn 1" and
    "Autumn 2" are the autumn term), each with the day it starts."""
    from cme.attendance.selectors import calendar_periods

    out: list[tuple[dt.date, str]] = []
    la_code = Organisation.objects.filter(pk=la_id).values_list("la_code", flat=True).first()
    for period in calendar_periods(la_id=la_id):
        if period.kind != "term" or period.scope != la_code:
            continue
        words = (period.name or "").split()
        name = words[0].title() if words and words[0].lower() in ("autumn", "spring", "summer") else ""
        if not name:
            name = {9: "Autumn", 10: "Autumn", 11: "Autumn", 12: "Autumn", 1: "Spring", 2: "Spring",
                    3: "Spring"}.get(period.start.month, "Summer")
        if not out or out[-1][1] != name:
            out.append((period.start, name))
    return out


@dataclass
class RadarPupil:
    """One deletion behind a radar figure: who, from which year group, when, why, and where to."""

    deletion_id: int
    name: str
    year_group: str
    deleted_on: dt.date
    ground: str
    destination: str
    kinds: tuple[str, ...]  # the radar's kinds it counts in: "y10_11", "f", "g_none"


@dataclass
class RadarRow:
    provider_id: int
    provider: str
    term: str
    deletions: int
    rate: float  # deletions per 100 pupils on roll
    by_ground: dict[str, int]
    year_10_11: int
    home_education: int
    g_without_destination: int
    by_year: dict[str, int] = field(default_factory=dict)
    concerns: list[str] = field(default_factory=list)
    pupils: list[RadarPupil] = field(default_factory=list)


RADAR_FACTOR = 2.0  # a school flagged at twice the LA's rate or more [local choice: configurable]
RADAR_MIN = 3  # and at least this many deletions of the kind, so one family's move is not a signal
RADAR_KINDS = (("y10_11", "Years 10 and 11"), ("f", "home education (f)"),
               ("g_none", "(g) with no known destination"))


def _radar_kinds(d: DeletionReturn) -> tuple[str, ...]:
    kinds = []
    if d.enrolment.year_group in ("10", "11"):
        kinds.append("y10_11")
    if d.ground == "f":
        kinds.append("f")
    if d.ground == "g" and not d.destination and not d.destination_detail:
        kinds.append("g_none")
    return tuple(kinds)


def off_rolling_radar(*, user) -> tuple[list[RadarRow], dict[str, dict[str, float]]]:
    """Deletions per school per term against the authority's norm for the same term (per 100 on
    roll), by ground and by year group: a rise in Years 10 and 11, many home-education (f)
    deletions, and (g) deletions with no known destination are the patterns of off-rolling.
    Managers only; each row carries the pupils behind its figures. Returns the rows (flagged
    first) and the authority's rates per term."""
    from cme.providers.models import Enrolment

    policy.require_manager(user, "Only a manager can see the off-rolling radar")
    with transaction.atomic():
        returns = list(deletion_returns_visible_to(user).select_related("provider", "enrolment", "child"))
        _audit_list(user, "deletion_return", f"Viewed the off-rolling radar ({len(returns)} deletions)",
                    [d.pk for d in returns], [d.child_id for d in returns])
    on_roll = Counter(Enrolment.objects.filter(provider__la_id=user.la_id, leaving_date__isnull=True)
                      .values_list("provider_id", flat=True))
    total_roll = max(sum(on_roll.values()), 1)
    groups: dict[tuple[int, str], list[DeletionReturn]] = defaultdict(list)
    by_term: dict[str, list[DeletionReturn]] = defaultdict(list)
    terms = la_terms(la_id=user.la_id) if user.la_id else []
    for d in returns:
        term = term_of(d.deleted_on, terms)
        groups[(d.provider_id, term)].append(d)
        by_term[term].append(d)
    # The authority's rate of each kind in each term: a school is compared with the same term.
    norms: dict[str, dict[str, float]] = {}
    for term, items in by_term.items():
        kinds = [_radar_kinds(d) for d in items]
        norms[term] = {"all": 100 * len(items) / total_roll,
                       **{key: 100 * sum(1 for k in kinds if key in k) / total_roll for key, _ in RADAR_KINDS}}
    rows = []
    for (provider_id, term), items in groups.items():
        roll = max(on_roll.get(provider_id, 0), 1)
        pupils = [RadarPupil(deletion_id=d.pk, name=d.child.full_name, year_group=d.enrolment.year_group,
                             deleted_on=d.deleted_on, ground=d.ground,
                             destination=d.destination or d.destination_detail, kinds=_radar_kinds(d))
                  for d in sorted(items, key=lambda d: (d.deleted_on, d.pk))]
        count = {key: sum(1 for p in pupils if key in p.kinds) for key, _ in RADAR_KINDS}
        row = RadarRow(
            provider_id=provider_id, provider=items[0].provider.name, term=term, deletions=len(items),
            rate=100 * len(items) / roll, by_ground=dict(Counter(d.ground for d in items)),
            year_10_11=count["y10_11"], home_education=count["f"], g_without_destination=count["g_none"],
            by_year=dict(Counter(d.enrolment.year_group or "unknown" for d in items)), pupils=pupils,
        )
        norm = norms[term]
        for key, label in RADAR_KINDS:
            if count[key] >= RADAR_MIN and 100 * count[key] / roll >= RADAR_FACTOR * max(norm[key], 1e-9):
                row.concerns.append(f"{count[key]} {label}: {100 * count[key] / roll:.1f} per 100 on roll, the "
                                    f"council's rate that term is {norm[key]:.1f}")
        rows.append(row)
    rows.sort(key=lambda r: (-len(r.concerns), -r.rate, r.provider, r.term))
    return rows, norms
