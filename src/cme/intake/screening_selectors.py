"""Reads of screening findings, scoped to the user: the authority's staff see its findings, no one
else sees any. Listing children at risk and opening one child's pattern are audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from cme.accounts import policy
from cme.attendance import codes as C
from cme.attendance.calendar import academic_year_start
from cme.attendance.selectors import register_get
from cme.audit.models import Action
from cme.audit.services import audit_access_refused, audit_record
from cme.intake.models import ScreeningFinding, ScreeningRule, ScreeningRun
from cme.intake.screening_service import STRICTER_FLAGS
from cme.people.models import RESTRICTED_FLAGS, VulnerabilityFlag
from cme.providers.models import Organisation

OPEN, CLEARED, ALL = "open", "cleared", "all"


@dataclass(frozen=True)
class AtRiskFilters:
    rule: str = ""
    provider: int | None = None
    flag: str = ""
    year_group: str = ""
    status: str = OPEN



# The gravest patterns first: a child whose whereabouts may be unknown before one who is merely
# often absent.
RULE_GRAVITY = [
    "continuous_absence_20",
    "not_returned_after_leave",
    "continuous_absence_10",
    "severe_absence",
    "part_time_timetable",
    "persistent_absence",
    "registers_missing",
]
_GRAVITY = Case(
    *[When(rule=rule, then=Value(n)) for n, rule in enumerate(RULE_GRAVITY)],
    default=Value(len(RULE_GRAVITY)),
    output_field=IntegerField(),
)

def findings_visible_to(user) -> QuerySet[ScreeningFinding]:
    if not user.is_authenticated or not user.is_la_staff:
        return ScreeningFinding.objects.none()
    return ScreeningFinding.objects.filter(la_id=user.organisation_id)


def _current_flags(user):
    """Each child's current flags the user may see (restricted ones only for those allowed)."""
    today = timezone.localdate()
    qs = VulnerabilityFlag.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    if not policy.may_see_restricted(user):
        qs = qs.exclude(flag__in=RESTRICTED_FLAGS)
    return Prefetch("child__flags", queryset=qs.order_by("flag"), to_attr="visible_flags")


def finding_disclosure(*, user, finding: ScreeningFinding) -> dict:
    """What a person may be told about a finding's child: the flags they may see (the finding
    was read with them: _current_flags), and whether the stricter thresholds for vulnerable
    children applied, said only to someone who may see why (the policy decides)."""
    shown = list(getattr(finding.child, "visible_flags", []))
    return {
        "flags": [f.get_flag_display() for f in shown],
        "stricter": policy.stricter_reason_shown(
            user, stricter=finding.stricter, shown_flags=[f.flag for f in shown], stricter_flags=STRICTER_FLAGS),
    }


def at_risk_list(*, user, filters: AtRiskFilters, page: int = 1, per_page: int = 50):
    """Children's findings (not providers'), newest first, filtered; (rows, total). Audited."""
    qs = findings_visible_to(user).filter(child__isnull=False)
    if filters.status == OPEN:
        qs = qs.filter(cleared_on__isnull=True)
    elif filters.status == CLEARED:
        qs = qs.filter(cleared_on__isnull=False)
    if filters.rule:
        qs = qs.filter(rule=filters.rule)
    if filters.provider:
        qs = qs.filter(provider_id=filters.provider)
    if filters.year_group:
        qs = qs.filter(year_group=filters.year_group)
    if filters.flag and policy.may_see_flag(user, restricted=filters.flag in RESTRICTED_FLAGS):
        today = timezone.localdate()
        qs = qs.filter(
            Q(child__flags__ended_on__isnull=True) | Q(child__flags__ended_on__gte=today),
            child__flags__flag=filters.flag,
        ).distinct()
    page = max(page, 1)
    with transaction.atomic():
        total = qs.count()
        rows = list(
            qs.select_related("child", "provider", "referral")
            .prefetch_related(_current_flags(user))
            .annotate(gravity=_GRAVITY)
            .order_by("cleared_on", "gravity", "-last_found_on", "-id")[(page - 1) * per_page : page * per_page]
        )
        audit_record(
            actor=user,
            action=Action.SEARCH,
            object_type="screening",
            la_id=user.la_id,
            summary="Listed children at risk from attendance screening",
            detail={"filters": filters.__dict__, "page": page, "ids": [r.pk for r in rows]},
            child_ids=[r.child_id for r in rows],
        )
    return rows, total


def at_risk_filter_choices(*, user) -> tuple[list[Organisation], list[str]]:
    """The providers and year groups that have children's findings, for the filter panel."""
    qs = findings_visible_to(user).filter(child__isnull=False)
    provider_ids = set(qs.values_list("provider_id", flat=True))
    providers = list(Organisation.objects.filter(pk__in=provider_ids).order_by("name"))
    groups = sorted({g for g in qs.values_list("year_group", flat=True) if g},
                    key=lambda g: (not g.lstrip("-").isdigit(), int(g) if g.lstrip("-").isdigit() else 0, g))
    return providers, groups


def finding_get_for_user(*, user, finding_id: int) -> ScreeningFinding:
    """One child's finding with the child, provider and referral; 404 outside scope. Audited."""
    with transaction.atomic():
        finding = (
            findings_visible_to(user)
            .filter(child__isnull=False, pk=finding_id)
            .select_related("child", "provider", "referral", "enrolment")
            .prefetch_related(_current_flags(user))
            .first()
        )
        if finding is not None:
            audit_record(
                actor=user,
                action=Action.VIEW,
                object_type="screening",
                object_id=finding.pk,
                child_id=finding.child_id,
                la_id=finding.la_id,
                summary=f"Viewed the attendance pattern of {finding.child.full_name}",
            )
    if finding is None:
        audit_access_refused(actor=user, object_type="screening", object_id=finding_id,
                             owner=ScreeningFinding.objects.filter(pk=finding_id, child__isnull=False))
        raise Http404("No such finding")
    return finding


def other_findings(*, user, finding: ScreeningFinding) -> list[ScreeningFinding]:
    """The child's other findings at the same provider (reached through an audited finding)."""
    return list(
        findings_visible_to(user)
        .filter(child_id=finding.child_id, provider_id=finding.provider_id)
        .exclude(pk=finding.pk)
        .select_related("referral")
        .order_by("cleared_on", "rule")
    )


def missing_registers(*, user) -> tuple[list[ScreeningFinding], list[ScreeningFinding]]:
    """Providers whose registers are missing (open), and those that resumed in the last 30 days."""
    qs = (findings_visible_to(user).filter(child__isnull=True, rule=ScreeningRule.REGISTERS_MISSING)
          .select_related("provider"))
    since = timezone.localdate() - dt.timedelta(days=30)
    open_ = list(qs.filter(cleared_on__isnull=True).order_by("first_found_on", "provider__name"))
    resumed = list(qs.filter(cleared_on__gte=since).order_by("-cleared_on", "provider__name"))
    return open_, resumed


def last_run(*, user) -> ScreeningRun | None:
    if not user.is_la_staff:
        return None
    return (ScreeningRun.objects.filter(la_id=user.organisation_id, finished_at__isnull=False)
            .order_by("-finished_at").first())


# -- the calendar strip ---------------------------------------------------------------------

CATEGORY_CLASS = {
    C.Category.PRESENT: "present",
    C.Category.APPROVED_ACTIVITY: "approved",
    C.Category.AUTHORISED: "authorised",
    C.Category.UNAUTHORISED: "unauthorised",
    C.Category.NOT_POSSIBLE: "not-possible",
}
CATEGORY_LABEL = {
    C.Category.PRESENT: "Present",
    C.Category.APPROVED_ACTIVITY: "Approved educational activity",
    C.Category.AUTHORISED: "Authorised absence",
    C.Category.UNAUTHORISED: "Unauthorised absence",
    C.Category.NOT_POSSIBLE: "Not a possible session",
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
MAX_WEEKS = 16


def _mark(code: str, day: dt.date) -> dict:
    if code == C.NO_SESSION:
        return {"code": "–", "meaning": "No session", "class": "none"}
    known = C.regime_codes(day).get(code)
    if known is None:
        return {"code": code, "meaning": "Unknown code", "class": "none"}
    return {"code": code, "meaning": known.meaning, "class": CATEGORY_CLASS[known.category],
            "category": CATEGORY_LABEL[known.category]}


def parse_day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def attendance_strip(*, finding: ScreeningFinding) -> dict | None:
    """The child's marks at the provider, a week a row, around the finding; None without a
    register. Reached only with a finding fetched through finding_get_for_user (audited).

    Each day has its morning and afternoon code, the code's meaning and category, and whether it
    falls in the finding's evidence; the legend lists the codes shown."""
    if not finding.enrolment_id:
        return None
    end = finding.cleared_on or finding.last_found_on
    start_evidence, end_evidence = parse_day(finding.evidence.get("from")), parse_day(finding.evidence.get("to"))
    start = end - dt.timedelta(weeks=6)
    if start_evidence:
        start = min(start, start_evidence - dt.timedelta(days=14))
    last_monday = end - dt.timedelta(days=end.weekday())
    start = max(start - dt.timedelta(days=start.weekday()), last_monday - dt.timedelta(weeks=MAX_WEEKS - 1))
    marks: dict[dt.date, tuple[str, str]] = {}
    for year in sorted({academic_year_start(start).year, academic_year_start(end).year}):
        register = register_get(enrolment_id=finding.enrolment_id, academic_year=year)
        if register is None:
            continue
        data = bytes(register.marks)
        for d in range(len(data) // 2):
            day = register.start_date + dt.timedelta(days=d)
            if start <= day <= end:
                marks[day] = (C.decode(data[2 * d]), C.decode(data[2 * d + 1]))
    if not marks:
        return None
    weeks, used = [], {}
    monday = start
    while monday <= end:
        days = []
        for offset in range(5):
            day = monday + dt.timedelta(days=offset)
            am, pm = marks.get(day, (C.NO_SESSION, C.NO_SESSION)) if day <= end else ("", "")
            cells = [_mark(code, day) if code else None for code in (am, pm)]
            for code, cell in zip((am, pm), cells, strict=True):
                if cell and cell.get("category"):
                    used[(cell["class"], code)] = cell
            days.append({
                "date": day,
                "name": WEEKDAYS[offset],
                "am": cells[0],
                "pm": cells[1],
                "after": day > end,
                "in_finding": bool(start_evidence and end_evidence and start_evidence <= day <= end_evidence),
            })
        weeks.append({"monday": monday, "days": days})
        monday += dt.timedelta(weeks=1)
    order = list(CATEGORY_CLASS.values())
    legend = [dict(cell, code=code) for (cls, code), cell in
              sorted(used.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1]))]
    return {"weeks": weeks, "legend": legend, "start": start, "end": end,
            "evidence_from": start_evidence, "evidence_to": end_evidence}
