"""The management figures (issue 14): counted in the database, through the rooms' doors, for the
viewer's authority only. Each figure says which list of children it counts (`href`), so that a
page can open the children behind it and the API's lists give the same count.

Counting reveals no record, so a figure needs no audit event; the lists behind them are audited
where they are read (the case list, the leavers page).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import caches
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cme.accounts import policy
from cme.cases.models import OPEN_STAGES, Category, Outcome, Stage
from cme.cases.register.selectors import cases_visible_to
from cme.intake.models import Channel, ScreeningFinding
from cme.intake.selectors import referrals_visible_to
from cme.people.models import Address, Vulnerability, VulnerabilityFlag
from cme.tracking.models import LeaverStatus
from cme.tracking.selectors import leavers_visible_to

TREND_MONTHS = 24
OUTCOME_FOUND = {
    Outcome.BACK_IN_SCHOOL: "On a roll again",
    Outcome.ALTERNATIVE_PROVISION: "In alternative provision",
    Outcome.HOME_EDUCATION: "Home education",
    Outcome.MOVED_LA: "Moved to another authority",
    Outcome.LEFT_COUNTRY: "Left the country",
}


@dataclass
class Row:
    """One figure of a breakdown: its label, the number, and the list of children behind it."""

    label: str
    count: int
    href: str = ""


@dataclass
class Breakdown:
    key: str
    title: str
    rows: list[Row]

    @property
    def total(self) -> int:
        return sum(r.count for r in self.rows)


@dataclass
class Period:
    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, start: dt.date | None, end: dt.date | None, *, today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        end = end or today
        start = start or _months_before(end, 12)
        return cls(min(start, end), max(start, end))


@dataclass
class Figures:
    period: Period
    open_cases: int
    missing_now: int
    at_risk_now: int
    cases_by_stage: dict[str, int]
    breakdowns: list[Breakdown] = field(default_factory=list)
    referrals_by_month: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    trend: list[tuple[str, int, int]] = field(default_factory=list)  # month, referred, closed
    unreconciled_leavers: int = 0
    providers_missing_registers: int = 0
    overdue_cases: int = 0  # open cases with a clock overdue (the case list's "overdue" filter)
    overdue_counted_at: dt.datetime | None = None
    # Names these figures in the per-process cache (what they are of, and the data's version), so
    # a page can keep what it draws from them under the same name.
    cache_key: str = ""

    def as_json(self) -> dict:
        return {
            "from": self.period.start.isoformat(), "to": self.period.end.isoformat(),
            "open_cases": self.open_cases, "missing_now": self.missing_now, "at_risk_now": self.at_risk_now,
            "cases_by_stage": self.cases_by_stage,
            "breakdowns": {b.key: {r.label: r.count for r in b.rows} for b in self.breakdowns},
            "referrals_by_month": {month: by for month, by in self.referrals_by_month},
            "trend": [{"month": m, "referred": r, "closed": c} for m, r, c in self.trend],
            "unreconciled_leavers": self.unreconciled_leavers, "overdue_cases": self.overdue_cases,
            "providers_missing_registers": self.providers_missing_registers,
        }


def _months_before(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, 1)


def cases_href(**filters) -> str:
    """The case list of these filters: where a figure's children are listed and exported."""
    return "/cases?" + urlencode({k: v for k, v in filters.items() if v not in (None, "")})


def year_group(dob: dt.date, on: dt.date) -> int:
    """National curriculum year on a day: Reception is 0 (a child born 1 September to 31 August)."""
    start = on.year if on.month >= 9 else on.year - 1
    cohort = dob.year if dob.month >= 9 else dob.year - 1
    return start - cohort - 5


def dashboard_figures(*, user, start: dt.date | None = None, end: dt.date | None = None,
                      area: str = "", group: str = "", today: dt.date | None = None) -> Figures:
    """Every figure of the dashboard for the user's authority, over a period of referrals (for the
    flows: referrals, closures, trends) and now (for the stocks: open cases and their make-up).

    Kept per process while the authority's data stays as it was: the key holds the latest change
    to its cases, referrals, leavers and findings (four indexed aggregates), so a figure is never
    staler than the data and ten managers opening the dashboard count once. (A flag ended or an
    address edited in place keeps its id: that shows at the next other change, or within a minute.)"""
    policy.require_management_view(user)
    today = today or timezone.localdate()
    period = Period.of(start, end, today=today)
    key = "dashboard:" + hashlib.sha256(repr((
        user.la_id, policy.may_see_restricted(user), period.start, period.end, area, group, today,
        _data_version(user))).encode()).hexdigest()
    cached = caches["local"].get(key)
    if cached is None:
        cached = _figures(user=user, period=period, area=area, group=group, today=today)
        cached.cache_key = key
        caches["local"].set(key, cached, 60)
    return cached


def _data_version(user) -> tuple:
    """What the figures depend on, cheaply: the authority's cases exactly (count and latest change,
    which the API's lists are compared with), its unreconciled leavers and open findings, and the
    newest referral, flag and address (primary-key maxima: a new one is a change)."""
    cases = cases_visible_to(user).aggregate(n=Count("id"), at=Max("updated_at"))
    referral = referrals_visible_to(user).aggregate(last=Max("id"))
    leavers = leavers_visible_to(user).aggregate(lost=Count("id", filter=Q(status=LeaverStatus.UNRECONCILED)))
    findings = ScreeningFinding.objects.filter(la_id=user.la_id, cleared_on__isnull=True).aggregate(open=Count("id"))
    newest = (VulnerabilityFlag.objects.aggregate(last=Max("id"))["last"], Address.objects.aggregate(last=Max("id"))["last"])
    return (*cases.values(), *referral.values(), *leavers.values(), *findings.values(), *newest)


def _figures(*, user, period: Period, area: str, group: str, today: dt.date) -> Figures:
    cases = cases_visible_to(user)
    postcode = Subquery(Address.objects.filter(child=OuterRef("child_id")).order_by("-lived_from", "-id")
                        .values("postcode")[:1])
    open_cases = cases.filter(stage__in=OPEN_STAGES)
    if area:
        open_cases = open_cases.annotate(pc=postcode).filter(pc__istartswith=area.strip() + " ")
    if group and policy.may_see_flag(user, restricted=group in _restricted()):
        open_cases = open_cases.filter(Exists(VulnerabilityFlag.objects.filter(
            child=OuterRef("child_id"), flag=group, ended_on__isnull=True)))
    by_stage = {s: 0 for s in OPEN_STAGES}
    by_category: Counter[str] = Counter()
    for stage, category, n in open_cases.values_list("stage", "category").annotate(n=Count("id")):
        by_stage[stage] += n
        by_category[category] += n
    total_open = sum(by_stage.values())

    breakdowns = [
        Breakdown("stage", "Open cases by stage", [
            Row(Stage(s).label, n, cases_href(stage=s)) for s, n in by_stage.items()]),
        Breakdown("category", "Open cases by category", [
            Row(Category(c).label, by_category.get(c, 0), cases_href(category=c, open="true"))
            for c in (Category.MISSING, Category.AT_RISK)]),
    ]
    # Vulnerable groups: children of open cases with the flag current (restricted flags only for
    # roles that may see them, as on the case list).
    flags = (VulnerabilityFlag.objects.filter(child__cases__in=open_cases, ended_on__isnull=True)
             .values("flag").annotate(n=Count("child", distinct=True)).order_by("flag"))
    breakdowns.append(Breakdown("group", "Open cases by vulnerable group", [
        Row(Vulnerability(r["flag"]).label, r["n"], cases_href(flag=r["flag"], open="true"))
        for r in flags if policy.may_see_flag(user, restricted=r["flag"] in _restricted())]))
    # Age and year group from the dates of birth, counted per date in the database.
    ages: Counter[str] = Counter()
    years: Counter[str] = Counter()
    for dob, n in open_cases.values_list("child__date_of_birth").annotate(n=Count("id")):
        if dob is None:
            ages["Not known"] += n
            years["Not known"] += n
            continue
        age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        ages[_age_band(age)] += n
        yg = year_group(dob, today)
        years["Reception" if yg == 0 else f"Year {yg}" if 1 <= yg <= 13 else "Outside Reception to Year 13"] += n
    breakdowns.append(Breakdown("age", "Open cases by age", [Row(k, ages[k]) for k in sorted(ages, key=_age_order)]))
    breakdowns.append(Breakdown("year_group", "Open cases by year group",
                                [Row(k, years[k]) for k in sorted(years, key=_year_order)]))
    districts: Counter[str] = Counter()
    for pc, n in open_cases.annotate(pc=postcode).values_list("pc").annotate(n=Count("id")):
        districts[(pc or "").upper().split(" ")[0] or "Not known"] += n
    breakdowns.append(Breakdown("area", "Open cases by area (postcode district)",
                                [Row(k, n) for k, n in sorted(districts.items(), key=lambda kv: (-kv[1], kv[0]))]))
    providers = (open_cases.values("last_known_provider_id", name=F("last_known_provider__name"))
                 .annotate(n=Count("id")).order_by("-n", "name"))
    breakdowns.append(Breakdown("last_provider", "Open cases by last provider", [
        Row(r["name"] or "Not known", r["n"], cases_href(school=r["last_known_provider_id"], open="true")
            if r["last_known_provider_id"] else "") for r in providers]))
    officers = (open_cases.values("responsible_officer_id", first=F("responsible_officer__first_name"),
                                  last=F("responsible_officer__last_name"))
                .annotate(n=Count("id")).order_by("-n", "last"))
    breakdowns.append(Breakdown("caseload", "Caseload per officer", [
        Row(f"{r['first']} {r['last']}".strip() if r["responsible_officer_id"] else "Nobody", r["n"],
            cases_href(officer=r["responsible_officer_id"], open="true") if r["responsible_officer_id"] else "")
        for r in officers]))
    closed = cases.filter(closed_on__gte=period.start, closed_on__lte=period.end)
    found = dict(closed.values_list("outcome").annotate(n=Count("id")))
    breakdowns.append(Breakdown("found", "Children found, and how (cases closed in the period)", [
        Row(label, found.get(outcome, 0)) for outcome, label in OUTCOME_FOUND.items()]))

    referrals = referrals_visible_to(user).filter(received_at__date__gte=period.start,
                                                  received_at__date__lte=period.end)
    by_source = dict(referrals.values_list("channel").annotate(n=Count("id")))
    breakdowns.insert(2, Breakdown("source", "New referrals in the period by source", [
        Row(Channel(c).label, by_source.get(c, 0)) for c in Channel.values if by_source.get(c)]))
    monthly: dict[str, dict[str, int]] = {}
    for month, channel, n in (referrals.annotate(month=TruncMonth("received_at")).values_list("month", "channel")
                              .annotate(n=Count("id")).order_by("month")):
        monthly.setdefault(month.strftime("%Y-%m"), {})[channel] = n

    trend_start = _months_before(today, TREND_MONTHS - 1)
    referred = dict((r["month"].strftime("%Y-%m"), r["n"]) for r in cases.filter(referred_on__gte=trend_start)
                    .annotate(month=TruncMonth("referred_on")).values("month").annotate(n=Count("id")))
    closed_m = dict((r["month"].strftime("%Y-%m"), r["n"]) for r in cases.filter(closed_on__gte=trend_start)
                    .annotate(month=TruncMonth("closed_on")).values("month").annotate(n=Count("id")))
    months = [_months_before(today, TREND_MONTHS - 1 - i).strftime("%Y-%m") for i in range(TREND_MONTHS)]
    trend = [(m, referred.get(m, 0), closed_m.get(m, 0)) for m in months]

    # Clocks need each case's events (two seconds for ten thousand open cases): counted apart, kept
    # five minutes whatever changes, and shown with the time counted. The list behind it is live.
    overdue, overdue_at = _overdue(user=user, open_cases=open_cases, today=today, filtered=bool(area or group))
    return Figures(
        overdue_cases=overdue, overdue_counted_at=overdue_at,
        period=period, open_cases=total_open, missing_now=by_category.get(Category.MISSING, 0),
        at_risk_now=by_category.get(Category.AT_RISK, 0), cases_by_stage=by_stage, breakdowns=breakdowns,
        referrals_by_month=sorted(monthly.items()), trend=trend,
        unreconciled_leavers=leavers_visible_to(user).filter(status=LeaverStatus.UNRECONCILED).count(),
        providers_missing_registers=ScreeningFinding.objects.filter(
            la_id=user.la_id, child__isnull=True, cleared_on__isnull=True).values("provider").distinct().count(),
    )


def _overdue(*, user, open_cases, today: dt.date, filtered: bool) -> tuple[int, dt.datetime]:
    from cme.cases.queues import clocks
    from cme.cases.queues.selectors import clocks_for_cases

    key = f"dashboard-overdue:{user.la_id}:{today.isoformat()}"
    if not filtered and (kept := caches["local"].get(key)) is not None:
        return kept
    cases = list(open_cases.select_related("la").order_by())
    states = clocks_for_cases(cases, today=today)
    counted = (sum(1 for c in cases if any(st.state == clocks.OVERDUE for st in states[c.pk])), timezone.now())
    if not filtered:
        caches["local"].set(key, counted, 300)
    return counted


def _restricted() -> frozenset[str]:
    from cme.people.models import RESTRICTED_FLAGS

    return frozenset(RESTRICTED_FLAGS)


AGE_BANDS = ((0, 4, "Under 5"), (5, 7, "5 to 7"), (8, 10, "8 to 10"), (11, 13, "11 to 13"), (14, 16, "14 to 16"),
             (17, 200, "17 and over"))


def _age_band(age: int) -> str:
    return next(label for low, high, label in AGE_BANDS if low <= age <= high)


def _age_order(label: str) -> int:
    return next((i for i, (_, _, name) in enumerate(AGE_BANDS) if name == label), 99)


def _year_order(label: str) -> tuple[int, str]:
    if label == "Reception":
        return (0, label)
    if label.startswith("Year "):
        return (int(label.split()[1]), label)
    return (99, label)

