"""The management figures (issue 14): counted in the database, through the rooms' doors, for the
viewer's authority only. Each figure says which list of children it counts (`href`): the
dashboard's own drill-down page (`figure_cases` / `figure_referrals`, with the same filters that
counted it), so the page opens exactly the children behind a figure; the open cases by stage and
category equal the API's case list `count` for the same filter.

Counting reveals no record, so a figure needs no audit event; the lists behind them are audited
where they are read (`figure_list`, the case list, the leavers page).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import caches
from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cme.accounts import policy
from cme.audit.models import Action
from cme.audit.services import audit_record
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
    heading: str = "Group"  # what the rows are, as the table's first column says it
    unit: str = "Open cases"  # what is counted, as the table's second column says it

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
    # Codes as the API's case list filters take them: category=, flag=, officer= (with open=true).
    cases_by_category: dict[str, int] = field(default_factory=dict)
    cases_by_group: dict[str, int] = field(default_factory=dict)
    caseload: dict[str, int] = field(default_factory=dict)
    breakdowns: list[Breakdown] = field(default_factory=list)
    referrals_by_month: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    trend: list[tuple[str, int, int]] = field(default_factory=list)  # month, referred, closed
    # month, cases of children missing education and at risk open at the month's end (today for this month)
    open_trend: list[tuple[str, int, int]] = field(default_factory=list)
    unreconciled_leavers: int = 0
    providers_missing_registers: int = 0
    overdue_cases: int = 0  # open cases with a clock overdue (the case list's "overdue" filter)
    overdue_counted_at: dt.datetime | None = None
    # The drill-down pages of the headline figures, and the area and group the figures are of.
    hrefs: dict[str, str] = field(default_factory=dict)
    filters: dict[str, str] = field(default_factory=dict)
    # Names these figures in the per-process cache (what they are of, and the data's version), so
    # a page can keep what it draws from them under the same name.
    cache_key: str = ""

    def as_json(self) -> dict:
        return {
            "from": self.period.start.isoformat(), "to": self.period.end.isoformat(),
            "open_cases": self.open_cases, "missing_now": self.missing_now, "at_risk_now": self.at_risk_now,
            "cases_by_stage": self.cases_by_stage, "cases_by_category": self.cases_by_category,
            "cases_by_group": self.cases_by_group, "caseload": self.caseload,
            "breakdowns": {b.key: {r.label: r.count for r in b.rows} for b in self.breakdowns},
            "referrals_by_month": {month: by for month, by in self.referrals_by_month},
            "trend": [{"month": m, "referred": r, "closed": c} for m, r, c in self.trend],
            "open_trend": [{"month": m, "missing": a, "at_risk": b} for m, a, b in self.open_trend],
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


def summary_figures(*, user, date_from: dt.date | None = None, date_to: dt.date | None = None,
                    area: str = "", group: str = "") -> dict:
    """The dashboard's figures as plain data (the API's summary, the panel pack)."""
    return dashboard_figures(user=user, start=date_from, end=date_to, area=area, group=group).as_json()


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


def dashboard_href(figure: str, value: str, *, period: Period, area: str = "", group: str = "") -> str:
    """The page listing the children behind one figure of the dashboard, under the same filters."""
    return "/management/dashboard/children?" + urlencode({k: v for k, v in (
        ("figure", figure), ("value", value), ("from", period.start.isoformat()), ("to", period.end.isoformat()),
        ("area", area), ("group", group)) if v})


def _scoped_cases(user, *, area: str, group: str) -> QuerySet:
    """The user's cases, narrowed to an area (postcode district of the child's latest address) and
    a vulnerable group (a current flag; a restricted one only for roles that may see it)."""
    cases = cases_visible_to(user)
    if area:
        cases = cases.annotate(pc=_postcode()).filter(_district_q(area))
    if group and policy.may_see_flag(user, restricted=group in _restricted()):
        cases = cases.filter(Exists(VulnerabilityFlag.objects.filter(
            child=OuterRef("child_id"), flag=group, ended_on__isnull=True)))
    return cases


def _postcode() -> Subquery:
    return Subquery(Address.objects.filter(child=OuterRef("child_id")).order_by("-lived_from", "-id")
                    .values("postcode")[:1])


def _district_q(district: str, name: str = "pc") -> Q:
    district = district.strip()
    return Q(**{f"{name}__istartswith": district + " "}) | Q(**{f"{name}__iexact": district})


def _district(postcode: str | None) -> str:
    return (postcode or "").upper().split(" ")[0]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _year_group_q(yg: int, today: dt.date) -> Q:
    start = today.year if today.month >= 9 else today.year - 1
    cohort = start - yg - 5
    return Q(child__date_of_birth__gte=dt.date(cohort, 9, 1), child__date_of_birth__lte=dt.date(cohort + 1, 8, 31))


def _month(value: str) -> tuple[dt.date, dt.date]:
    first = dt.date.fromisoformat(value + "-01")
    return first, _months_before(first, -1) - dt.timedelta(days=1)


def _month_end(month: str, today: dt.date) -> dt.date:
    return min(_month(month)[1], today)


def _open_at(day: dt.date) -> Q:
    """Open at the end of a day: referred by then, not closed by then (the category as it is now)."""
    return Q(referred_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def figure_cases(*, user, figure: str, value: str, period: Period, area: str = "", group: str = "",
                 today: dt.date | None = None) -> QuerySet:
    """The cases behind one figure of the dashboard (the same filters that counted it), in the
    user's scope. ValueError for a figure or value the dashboard does not show."""
    policy.require_management_view(user)
    today = today or timezone.localdate()
    scoped = _scoped_cases(user, area=area, group=group)
    open_cases = scoped.filter(stage__in=OPEN_STAGES)
    if figure == "open":
        return open_cases
    if figure == "stage" and value in OPEN_STAGES:
        return open_cases.filter(stage=value)
    if figure == "category" and value in Category.values:
        return open_cases.filter(category=value)
    if figure == "group" and value in Vulnerability.values:
        if not policy.may_see_flag(user, restricted=value in _restricted()):
            raise ValueError(value)
        return open_cases.filter(Exists(VulnerabilityFlag.objects.filter(
            child=OuterRef("child_id"), flag=value, ended_on__isnull=True)))
    if figure == "age":
        if value == "unknown":
            return open_cases.filter(child__date_of_birth__isnull=True)
        band = next(((low, high) for i, (low, high, _) in enumerate(AGE_BANDS) if str(i) == value), None)
        if band is None:
            raise ValueError(value)
        return open_cases.filter(child__date_of_birth__lte=_years_before(today, band[0]),
                                 child__date_of_birth__gt=_years_before(today, band[1] + 1))
    if figure == "year_group":
        if value == "unknown":
            return open_cases.filter(child__date_of_birth__isnull=True)
        if value == "other":
            start = today.year if today.month >= 9 else today.year - 1
            inside = Q(child__date_of_birth__gte=dt.date(start - 18, 9, 1),
                       child__date_of_birth__lte=dt.date(start - 4, 8, 31))
            return open_cases.filter(child__date_of_birth__isnull=False).exclude(inside)
        if value.isdigit() and 0 <= int(value) <= 13:
            return open_cases.filter(_year_group_q(int(value), today))
        raise ValueError(value)
    if figure == "area":
        with_pc = open_cases.annotate(pc_latest=_postcode())
        if value == "unknown":
            return with_pc.filter(Q(pc_latest__isnull=True) | Q(pc_latest="") | Q(pc_latest__startswith=" "))
        return with_pc.filter(_district_q(value, "pc_latest"))
    if figure == "last_provider":
        if value == "unknown":
            return open_cases.filter(last_known_provider__isnull=True)
        if value.isdigit():
            return open_cases.filter(last_known_provider_id=int(value))
        raise ValueError(value)
    if figure == "caseload":
        if value == "none":
            return open_cases.filter(responsible_officer__isnull=True)
        if value.isdigit():
            return open_cases.filter(responsible_officer_id=int(value))
        raise ValueError(value)
    if figure == "found" and value in OUTCOME_FOUND:
        return scoped.filter(closed_on__gte=period.start, closed_on__lte=period.end, outcome=value)
    if figure == "open_at":
        month, _, category = value.partition(".")
        try:
            end = _month_end(month, today)
        except ValueError:
            raise ValueError(value) from None
        if category not in (Category.MISSING, Category.AT_RISK):
            raise ValueError(value)
        return scoped.filter(_open_at(end), category=category)
    if figure in ("referred_month", "closed_month"):
        try:
            first, last = _month(value)
        except ValueError:
            raise ValueError(value) from None
        field_name = "referred_on" if figure == "referred_month" else "closed_on"
        return scoped.filter(**{f"{field_name}__gte": first, f"{field_name}__lte": last})
    raise ValueError(figure)


def figure_referrals(*, user, figure: str, value: str, period: Period) -> QuerySet:
    """The referrals behind a figure of new referrals (by source over the period, or by source
    and month). ValueError for one the dashboard does not show."""
    policy.require_management_view(user)
    referrals = referrals_visible_to(user).filter(received_at__date__gte=period.start,
                                                  received_at__date__lte=period.end)
    if figure == "source" and value in Channel.values:
        return referrals.filter(channel=value)
    if figure == "referrals_month":
        month, _, channel = value.partition(".")
        try:
            first, last = _month(month)
        except ValueError:
            raise ValueError(value) from None
        if channel not in Channel.values:
            raise ValueError(value)
        return referrals.filter(channel=channel, received_at__date__gte=first, received_at__date__lte=last)
    raise ValueError(figure)


REFERRAL_FIGURES = ("source", "referrals_month")
EXPORT_MAX = 50_000


@dataclass
class FigureList:
    """The children (cases, or referrals for the referral figures) behind one figure."""

    kind: str  # "cases" or "referrals"
    total: int
    items: list


def figure_list(*, user, figure: str, value: str, period: Period, area: str = "", group: str = "",
                offset: int = 0, limit: int | None = 50, export: str = "") -> FigureList:
    """One page of the list behind a figure (or all of it, up to EXPORT_MAX, to export), read in
    the user's scope and audited with every case and child shown or exported: a list of children
    is a disclosure, a count is not. ValueError for a figure the dashboard does not show."""
    if figure in REFERRAL_FIGURES:
        kind = "referrals"
        qs = (figure_referrals(user=user, figure=figure, value=value, period=period)
              .select_related("case").order_by("received_at", "id"))
    else:
        kind = "cases"
        qs = (figure_cases(user=user, figure=figure, value=value, period=period, area=area, group=group)
              .select_related("child", "responsible_officer", "last_known_provider").order_by("referred_on", "id"))
    with transaction.atomic():
        total = qs.count()
        end = EXPORT_MAX if export else (offset + limit if limit is not None else None)
        items = list(qs[offset if not export else 0:end])
        child_ids = [i.child_id for i in items if getattr(i, "child_id", None)] if kind == "cases" else [
            i.case.child_id for i in items if i.case_id]
        what = f"the {kind} behind the dashboard figure {figure}={value} ({len(items):,} shown of {total:,})"
        audit_record(actor=user, action=Action.EXPORT if export else Action.SEARCH,
                     object_type="case" if kind == "cases" else "referral", la_id=user.la_id,
                     summary=("Exported " if export else "Viewed ") + what,
                     detail={"figure": figure, "value": value, "from": period.start.isoformat(),
                             "to": period.end.isoformat(), "area": area, "group": group,
                             "format": export, "ids": [i.pk for i in items]},
                     child_ids=child_ids)
    return FigureList(kind, total, items)


def figure_title(figures: Figures, figure: str, value: str) -> str:
    """What a figure is, in words, from the dashboard it was opened from."""
    headline = {"open": "Open cases", "missing_now": "Missing education now", "at_risk_now": "At risk now"}
    href = dashboard_href(figure, value, period=figures.period, **figures.filters)
    for key, text in headline.items():
        if figures.hrefs.get(key) == href:
            return text
    for b in figures.breakdowns:
        for r in b.rows:
            if r.href == href:
                return f"{b.title}: {r.label}"
    if figure == "referrals_month":
        month, _, channel = value.partition(".")
        return f"New referrals in {month} from {Channel(channel).label if channel in Channel.values else channel}"
    if figure == "referred_month":
        return f"Cases referred in {value}"
    if figure == "closed_month":
        return f"Cases closed in {value}"
    if figure == "open_at":
        month, _, category = value.partition(".")
        what = "missing education" if category == Category.MISSING else "at risk"
        return f"Children {what} at the end of {month}"
    return "The children behind a figure"


def _figures(*, user, period: Period, area: str, group: str, today: dt.date) -> Figures:
    scoped = _scoped_cases(user, area=area, group=group)
    open_cases = scoped.filter(stage__in=OPEN_STAGES)

    def drill(figure: str, value: object) -> str:
        return dashboard_href(figure, str(value), period=period, area=area, group=group)

    by_stage = {s: 0 for s in OPEN_STAGES}
    by_category: Counter[str] = Counter()
    for stage, category, n in open_cases.values_list("stage", "category").annotate(n=Count("id")).order_by():
        by_stage[stage] += n
        by_category[category] += n
    total_open = sum(by_stage.values())

    breakdowns = [
        Breakdown("stage", "Open cases by stage", heading="Stage", rows=[
            Row(Stage(s).label, n, drill("stage", s)) for s, n in by_stage.items()]),
        Breakdown("category", "Open cases by category", heading="Category", rows=[
            Row(Category(c).label, by_category.get(c, 0), drill("category", c))
            for c in (Category.MISSING, Category.AT_RISK)]),
    ]
    # Vulnerable groups: open cases whose child has the flag now (restricted flags only for roles
    # that may see them, as on the case list). A case counts once in each of its child's groups.
    flags = [r for r in (open_cases.values(flag=F("child__flags__flag"))
                         .annotate(n=Count("id", distinct=True, filter=Q(child__flags__ended_on__isnull=True)))
                         .order_by("flag"))
             if r["flag"] in Vulnerability.values and r["n"]
             and policy.may_see_flag(user, restricted=r["flag"] in _restricted())]
    breakdowns.append(Breakdown("group", "Open cases by vulnerable group", heading="Vulnerable group", rows=[
        Row(Vulnerability(r["flag"]).label, r["n"], drill("group", r["flag"]))
        for r in flags]))
    # Age and year group from the dates of birth, counted per date in the database.
    ages: Counter[str] = Counter()
    years: Counter[str] = Counter()
    for dob, n in open_cases.values_list("child__date_of_birth").annotate(n=Count("id")).order_by():
        if dob is None:
            ages["unknown"] += n
            years["unknown"] += n
            continue
        age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        ages[_age_band(age)] += n
        yg = year_group(dob, today)
        years[str(yg) if 0 <= yg <= 13 else "other"] += n
    breakdowns.append(Breakdown("age", "Open cases by age", heading="Age", rows=[
        Row(_age_label(k), ages[k], drill("age", k)) for k in sorted(ages, key=_age_order)]))
    breakdowns.append(Breakdown("year_group", "Open cases by year group", heading="Year group", rows=[
        Row(_year_label(k), years[k], drill("year_group", k)) for k in sorted(years, key=_year_order)]))
    districts: Counter[str] = Counter()
    for pc, n in open_cases.annotate(pc_latest=_postcode()).values_list("pc_latest").annotate(n=Count("id")).order_by():
        districts[_district(pc) or "unknown"] += n
    breakdowns.append(Breakdown("area", "Open cases by area (postcode district)", heading="Postcode district", rows=[
        Row("Not known" if k == "unknown" else k, n, drill("area", k))
        for k, n in sorted(districts.items(), key=lambda kv: (-kv[1], kv[0]))]))
    providers = (open_cases.values("last_known_provider_id", name=F("last_known_provider__name"))
                 .annotate(n=Count("id")).order_by("-n", "name"))
    breakdowns.append(Breakdown("last_provider", "Open cases by last provider", heading="Last provider", rows=[
        Row(r["name"] or "Not known", r["n"], drill("last_provider", r["last_known_provider_id"] or "unknown"))
        for r in providers]))
    officers = list(open_cases.values("responsible_officer_id", first=F("responsible_officer__first_name"),
                                  last=F("responsible_officer__last_name"))
                .annotate(n=Count("id")).order_by("-n", "last"))
    breakdowns.append(Breakdown("caseload", "Caseload per officer", heading="Responsible officer", rows=[
        Row(f"{r['first']} {r['last']}".strip() if r["responsible_officer_id"] else "Nobody", r["n"],
            drill("caseload", r["responsible_officer_id"] or "none"))
        for r in officers]))
    closed = scoped.filter(closed_on__gte=period.start, closed_on__lte=period.end)
    found = dict(closed.values_list("outcome").annotate(n=Count("id")).order_by())
    breakdowns.append(Breakdown("found", "Children found, and how (cases closed in the period)", heading="Found", unit="Cases closed", rows=[
        Row(label, found.get(outcome, 0), drill("found", outcome)) for outcome, label in OUTCOME_FOUND.items()]))

    # Referrals are counted before a child is known, so the area and group filters do not apply.
    referrals = referrals_visible_to(user).filter(received_at__date__gte=period.start,
                                                  received_at__date__lte=period.end)
    by_source = dict(referrals.values_list("channel").annotate(n=Count("id")).order_by())
    breakdowns.insert(2, Breakdown("source", "New referrals in the period by source", heading="Source", unit="Referrals", rows=[
        Row(Channel(c).label, by_source.get(c, 0), drill("source", c)) for c in Channel.values if by_source.get(c)]))
    monthly: dict[str, dict[str, int]] = {}
    for month, channel, n in (referrals.annotate(month=TruncMonth("received_at")).values_list("month", "channel")
                              .annotate(n=Count("id")).order_by("month", "channel")):
        monthly.setdefault(month.strftime("%Y-%m"), {})[channel] = n

    trend_start = _months_before(today, TREND_MONTHS - 1)
    referred = dict((r["month"].strftime("%Y-%m"), r["n"]) for r in scoped.filter(referred_on__gte=trend_start)
                    .annotate(month=TruncMonth("referred_on")).values("month").annotate(n=Count("id")).order_by())
    closed_m = dict((r["month"].strftime("%Y-%m"), r["n"]) for r in scoped.filter(closed_on__gte=trend_start)
                    .annotate(month=TruncMonth("closed_on")).values("month").annotate(n=Count("id")).order_by())
    months = [_months_before(today, TREND_MONTHS - 1 - i).strftime("%Y-%m") for i in range(TREND_MONTHS)]
    trend = [(m, referred.get(m, 0), closed_m.get(m, 0)) for m in months]
    # The stock at each month's end, all 48 counts in one pass over the cases.
    stock = scoped.aggregate(**{
        f"m{i}_{category}": Count("id", filter=_open_at(_month_end(m, today)) & Q(category=category))
        for i, m in enumerate(months) for category in (Category.MISSING, Category.AT_RISK)})
    open_trend = [(m, stock[f"m{i}_{Category.MISSING}"], stock[f"m{i}_{Category.AT_RISK}"])
                  for i, m in enumerate(months)]

    # Clocks need each case's events (two seconds for ten thousand open cases): counted apart, kept
    # five minutes whatever changes, and shown with the time counted. The list behind it is live.
    overdue, overdue_at = _overdue(user=user, open_cases=open_cases, today=today, filtered=bool(area or group))
    return Figures(
        overdue_cases=overdue, overdue_counted_at=overdue_at,
        period=period, open_cases=total_open, missing_now=by_category.get(Category.MISSING, 0),
        at_risk_now=by_category.get(Category.AT_RISK, 0), cases_by_stage=by_stage, breakdowns=breakdowns,
        cases_by_category={c: by_category.get(c, 0) for c in Category.values},
        cases_by_group={r["flag"]: r["n"] for r in flags},
        caseload={str(r["responsible_officer_id"]): r["n"] for r in officers if r["responsible_officer_id"]},
        referrals_by_month=sorted(monthly.items()), trend=trend, open_trend=open_trend,
        unreconciled_leavers=leavers_visible_to(user).filter(status=LeaverStatus.UNRECONCILED).count(),
        providers_missing_registers=ScreeningFinding.objects.filter(
            la_id=user.la_id, child__isnull=True, cleared_on__isnull=True).values("provider").distinct().count(),
        hrefs={"open": drill("open", ""), "missing_now": drill("category", Category.MISSING),
               "at_risk_now": drill("category", Category.AT_RISK)},
        filters={"area": area, "group": group},
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


# Under 5 reaches below nought so that a date of birth typed in the future still counts somewhere.
AGE_BANDS = ((-200, 4, "Under 5"), (5, 7, "5 to 7"), (8, 10, "8 to 10"), (11, 13, "11 to 13"),
             (14, 16, "14 to 16"), (17, 200, "17 and over"))


def _age_band(age: int) -> str:
    return next(str(i) for i, (low, high, _) in enumerate(AGE_BANDS) if low <= age <= high)


def _age_label(key: str) -> str:
    return AGE_BANDS[int(key)][2] if key.isdigit() else "Not known"


def _age_order(key: str) -> int:
    return int(key) if key.isdigit() else 99


def _year_label(key: str) -> str:
    if key == "0":
        return "Reception"
    if key.isdigit():
        return f"Year {key}"
    return "Outside Reception to Year 13" if key == "other" else "Not known"


def _year_order(key: str) -> int:
    return int(key) if key.isdigit() else 98 if key == "other" else 99
