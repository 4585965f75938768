"""Pace (issue 14 point 2): the guide's four dates per child — identified as missing, located,
provision determined, in provision — as school days from the referral, with the median and the
90th percentile per month of referral and per group (the category, and each vulnerable group the
child is in now), and the children behind each figure.

"Identified as missing" is the day the case was opened on the referral (the triage decision);
the other three are the case's own key dates (cases.register.stages.STAGE_DATE_FIELD). School days
count by the authority's term dates; where it has loaded none that reach, weekdays stand in (the
page says so).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from cme.accounts import policy
from cme.attendance.calendar import CalendarRangeError, SchoolCalendar
from cme.attendance.selectors import NoCalendar, school_calendar
from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.cases.models import Category
from cme.cases.register.selectors import cases_visible_to
from cme.people.models import RESTRICTED_FLAGS, Vulnerability, VulnerabilityFlag

STEPS = (
    ("identified", "Identified as missing"),
    ("located", "Located"),
    ("provision_determined", "Provision determined"),
    ("in_provision", "In provision"),
)


def percentile(values: list[int], p: float) -> float | None:
    """The p-th percentile by nearest rank (what a manager can check by counting)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return float(ordered[rank - 1])


def median(values: list[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@dataclass
class Cell:
    """One figure: how many children reached the step, the median and 90th percentile school
    days from referral, and the cases behind it."""

    days: list[int] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.days)

    @property
    def median(self) -> float | None:
        return median(self.days)

    @property
    def p90(self) -> float | None:
        return percentile(self.days, 90)


@dataclass
class PaceRow:
    label: str
    key: str
    referred: int
    cells: dict[str, Cell]


@dataclass
class Pace:
    start: dt.date
    end: dt.date
    overall: PaceRow
    by_month: list[PaceRow]
    by_group: list[PaceRow]
    weekdays_stood_in: bool

    def as_json(self) -> dict:
        """The figures as plain data (for the panel pack or an API): per row and step, how many
        children reached it, the median and the 90th percentile in school days."""
        def row(r: PaceRow) -> dict:
            return {"label": r.label, "key": r.key, "referred": r.referred,
                    "steps": {k: {"children": c.n, "median": c.median, "p90": c.p90} for k, c in r.cells.items()}}

        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "overall": row(self.overall),
                "by_month": [row(r) for r in self.by_month], "by_group": [row(r) for r in self.by_group],
                "weekdays_stood_in": self.weekdays_stood_in}


class _Days:
    """School days between two dates by the LA's calendar, weekdays where it does not reach."""

    def __init__(self, la_id: int):
        self.calendar: SchoolCalendar | None
        try:
            self.calendar = school_calendar(la_id=la_id)
        except NoCalendar:
            self.calendar = None
        self.stood_in = False

    def __call__(self, start: dt.date, end: dt.date) -> int:
        if end <= start:
            return 0
        if self.calendar is not None:
            try:
                return self.calendar.school_days_between(start, end)
            except CalendarRangeError:
                pass
        self.stood_in = True
        days = (end - start).days
        weeks, rest = divmod(days, 7)
        extra = sum(1 for i in range(1, rest + 1) if (start + dt.timedelta(days=i)).weekday() < 5)
        return weeks * 5 + extra


def pace_figures(*, user, start: dt.date | None = None, end: dt.date | None = None) -> Pace:
    """For cases referred in the period: school days from referral to each of the four dates."""
    policy.require_management_view(user)
    end = end or timezone.localdate()
    start = start or dt.date(end.year - 1, end.month, 1)
    count_days = _Days(user.la_id)
    cases = cases_visible_to(user).filter(referred_on__gte=start, referred_on__lte=end)
    rows = (cases.values_list("id", "category", "referred_on", "created_at", "located_on", "provision_determined_on",
                              "moved_into_provision_on", "child_id").order_by("referred_on", "id"))
    # Vulnerable groups: the child's current flags (restricted ones only for roles that may see them).
    flags_of: dict[int, list[str]] = {}
    for child_id, flag in (VulnerabilityFlag.objects.filter(child__in=cases.values("child_id"), ended_on__isnull=True)
                           .values_list("child_id", "flag").distinct().order_by("flag")):
        if flag in Vulnerability.values and policy.may_see_flag(user, restricted=flag in RESTRICTED_FLAGS):
            flags_of.setdefault(child_id, []).append(flag)
    overall = PaceRow("All children", "all", 0, {k: Cell() for k, _ in STEPS})
    months: dict[str, PaceRow] = {}
    groups: dict[str, PaceRow] = {}
    for case_id, category, referred, created, located, determined, in_provision, child_id in rows:
        identified = timezone.localtime(created).date() if created else None
        dates = {"identified": identified, "located": located, "provision_determined": determined,
                 "in_provision": in_provision}
        month = referred.strftime("%Y-%m")
        month_row = months.setdefault(month, PaceRow(referred.strftime("%B %Y"), month, 0,
                                                     {k: Cell() for k, _ in STEPS}))
        group_row = groups.setdefault(category, PaceRow(Category(category).label, category, 0,
                                                        {k: Cell() for k, _ in STEPS}))
        flag_rows = [groups.setdefault(f"flag:{flag}", PaceRow(Vulnerability(flag).label, f"flag:{flag}", 0,
                                                                {k: Cell() for k, _ in STEPS}))
                     for flag in flags_of.get(child_id, ())]
        for row in (overall, month_row, group_row, *flag_rows):
            row.referred += 1
        for key, _ in STEPS:
            reached = dates[key]
            if reached is None:
                continue
            days = count_days(referred, max(reached, referred))
            for row in (overall, month_row, group_row, *flag_rows):
                row.cells[key].days.append(days)
                row.cells[key].case_ids.append(case_id)
    # Categories first (every child is in one), then the vulnerable groups (a child may be in several).
    return Pace(start, end, overall, [months[m] for m in sorted(months)],
                sorted(groups.values(), key=lambda r: (r.key.startswith("flag:"), r.label)), count_days.stood_in)


def pace_children(*, user, pace: Pace, row_key: str, step: str) -> list:
    """The cases behind one figure of the pace table, with their school days: read through the
    case door and audited, as the case list is."""
    rows = {r.key: r for r in (pace.overall, *pace.by_month, *pace.by_group)}
    row = rows.get(row_key)
    if row is None or step not in row.cells:
        return []
    cell = row.cells[step]
    days_of = dict(zip(cell.case_ids, cell.days, strict=True))
    with transaction.atomic():
        cases = list(cases_visible_to(user).filter(pk__in=cell.case_ids).select_related("child")
                     .order_by("referred_on", "id"))
        audit_record(actor=user, action=Action.SEARCH, object_type="case", la_id=user.la_id,
                     summary=f"Viewed the children behind a pace figure ({len(cases)} cases)",
                     detail={"ids": [c.pk for c in cases], "row": row_key, "step": step},
                     child_ids=[c.child_id for c in cases])
    for case in cases:
        case.pace_days = days_of.get(case.pk)  # type: ignore[attr-defined]
    return cases
