"""Attendance screening pages: children at risk, one child's attendance pattern, providers whose
registers are missing, and the "Run screening now" button. The authority's staff only."""

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cme.accounts import policy
from cme.core.paging import page_from, pagination_params, with_params
from cme.intake import screening_selectors as selectors
from cme.intake.screening_forms import AtRiskFilterForm
from cme.intake.screening_service import rules_for_la
from cme.intake.tasks import screen_registers_task

PER_PAGE = 50


def _selected_filters(form: AtRiskFilterForm, params: QueryDict) -> list[dict]:
    chosen = form.filters()
    groups = []
    for name, value in (("rule", chosen.rule), ("provider", chosen.provider), ("flag", chosen.flag),
                        ("year_group", chosen.year_group)):
        if value:
            groups.append({
                "heading": form.fields[name].label,
                "text": dict(form.fields[name].choices).get(str(value), str(value)),
                "href": reverse("screening:list") + with_params(params, page=None, **{name: None}),
            })
    if chosen.status != selectors.OPEN:
        groups.append({
            "heading": "Pattern",
            "text": dict(form.fields["status"].choices)[chosen.status],
            "href": reverse("screening:list") + with_params(params, page=None, status=None),
        })
    return groups


@require_GET
def at_risk_list_view(request):
    user = request.user
    policy.require_la_staff(user, "Only council staff can see attendance screening")
    providers, year_groups = selectors.at_risk_filter_choices(user=user)
    params = request.GET.copy()
    params.setdefault("status", selectors.OPEN)  # the list opens on patterns still found
    form = AtRiskFilterForm(params, user=user, providers=providers, year_groups=year_groups)
    form.is_valid()  # errors are shown; the valid filters still apply
    page = page_from(request.GET)
    rows, total = selectors.at_risk_list(user=user, filters=form.filters(), page=page, per_page=PER_PAGE)
    return render(request, "screening/list.html", {
        "form": form,
        "rows": [{"finding": f, **selectors.finding_disclosure(user=user, finding=f)} for f in rows],
        "total": total,
        "first_shown": (page - 1) * PER_PAGE + 1,
        "page": page,
        "pagination": pagination_params(params=request.GET, page=page, total=total, per_page=PER_PAGE),
        "selected": _selected_filters(form, request.GET),
        "status": form.filters().status,
        "last_run": selectors.last_run(user=user),
        "may_run": policy.may_run_screening(user),
    })


@require_GET
def finding_view(request, finding_id: int):
    user = request.user
    policy.require_la_staff(user, "Only council staff can see attendance screening")
    finding = selectors.finding_get_for_user(user=user, finding_id=finding_id)
    return render(request, "screening/finding.html", {
        "finding": finding,
        **selectors.finding_disclosure(user=user, finding=finding),
        "others": selectors.other_findings(user=user, finding=finding),
        "strip": selectors.attendance_strip(finding=finding),
    })


@require_GET
def missing_registers_view(request):
    user = request.user
    policy.require_la_staff(user, "Only council staff can see attendance screening")
    missing, resumed = selectors.missing_registers(user=user)

    def row(finding):
        evidence = finding.evidence or {}
        return {"finding": finding, "latest": selectors.parse_day(evidence.get("latest_marked_day")),
                "weekdays": evidence.get("weekdays")}

    return render(request, "screening/missing_registers.html", {
        "missing": [row(f) for f in missing],
        "resumed": [row(f) for f in resumed],
        "last_run": selectors.last_run(user=user),
        "limit": rules_for_la(user.organisation).default.registers_missing_weekdays,
    })


@require_POST
def run_view(request):
    user = request.user
    policy.require_screening_runner(user)
    today = timezone.localdate()
    screen_registers_task.enqueue(la_id=user.organisation_id, as_of=today.isoformat(),
                                  requested_by_id=user.pk)
    queued_at = timezone.localtime().strftime("%-I:%M%p").lower()
    messages.success(
        request,
        f"Screening of the registers as of {today:%-d %B %Y} was queued at {queued_at}. "
        "New findings appear on this page when it has run.",
    )
    return redirect("screening:list")
