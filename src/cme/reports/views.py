"""The home page: what each kind of user sees first. It reads every room through its doors, so
it lives on the top floor with the other management views."""

import datetime as dt

from django.contrib import messages
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from cme.accounts import policy
from cme.audit.models import Action
from cme.audit.selectors import child_viewers, refused_attempts
from cme.audit.services import audit_record
from cme.cases.queues.selectors import clock_rules
from cme.core.exports import export_response
from cme.core.paging import page_from, pagination_params, with_params
from cme.intake.models import Channel
from cme.intake.screening_service import rules_for_la
from cme.people.models import RESTRICTED_FLAGS, Vulnerability
from cme.people.selectors import child_get_for_user
from cme.reports.charts import bar_chart, line_chart
from cme.reports.figures import dashboard_figures, dashboard_href, figure_list, figure_title
from cme.reports.models import Rating
from cme.reports.pace import STEPS, pace_children, pace_figures
from cme.reports.returns import TERMS, dfe_return, dfe_return_csv, panel_pack_pdf
from cme.reports.selectors import la_staff_home
from cme.reports.selfeval import current_year, questions, self_evaluation, self_evaluation_answer
from cme.reports.subject_access import export_json, export_pdf, subject_access_export

VIEWERS_PER_PAGE = 50
REFUSED_DAYS = 30


@require_GET
def home(request):
    user = request.user
    if user.is_la_staff:
        return render(request, "reports/home_la_staff.html", {"home": la_staff_home(user=user)})
    if policy.is_school_user(user):
        return render(request, "reports/home_school.html")
    if policy.is_partner_user(user):
        return render(request, "reports/home_partner.html")
    return render(request, "reports/home_no_role.html")


@require_http_methods(["GET", "HEAD"])
def child_viewers_view(request, child_id: int):
    """Who has viewed a child, from the audit trail: a manager's report on their own children."""
    user = request.user
    if not policy.may_see_audit(user):
        raise PermissionDenied("Only managers can see who has viewed a child")
    child = child_get_for_user(user=user, child_id=child_id)
    page = page_from(request.GET)
    events = child_viewers(child_id=child.pk, la_id=child.la_id)
    total = events.count()
    per_page = VIEWERS_PER_PAGE
    rows = list(events[(page - 1) * per_page : page * per_page])
    return render(request, "reports/child_viewers.html", {
        "child": child,
        "events": rows,
        "total": total,
        "page": page,
        "pagination": pagination_params(params=request.GET, page=page, total=total, per_page=per_page),
    })


@require_http_methods(["GET", "HEAD"])
def refused_attempts_view(request):
    """Who was refused records outside their scope, from the audit trail's security events: a
    manager's report on attempts on the authority's records and by the authority's own people."""
    user = request.user
    if not policy.may_see_audit(user):
        raise PermissionDenied("Only managers can see refused attempts to open records")
    rows = refused_attempts(la_id=user.la_id, days=REFUSED_DAYS)
    return render(request, "reports/refused_attempts.html", {
        "rows": rows, "days": REFUSED_DAYS, "repeated": sum(1 for r in rows if r.repeated),
    })


def screening_rules_in_use(*, la) -> list[tuple[str, str, str]]:
    """(rule, plain description, source) of the authority's screening rules file."""
    from cme.intake.models import ScreeningRule

    rules = rules_for_la(la)
    return [(ScreeningRule(name).label, rules.descriptions[name], rules.sources.get(name, ""))
            for name in rules.descriptions]


@require_GET
def manage_view(request):
    """The management pages, in one place (the navigation has one link to here)."""
    user = request.user
    if not (policy.may_manage(user) or policy.may_see_management_figures(user)):
        policy.require_manager_or_administrator(user)
    pages = []
    if policy.may_see_management_figures(user):
        pages += [("Dashboard", "reports:dashboard",
                   "Children missing education and at risk now, referrals, cases by stage and group, children "
                   "found, caseloads and trends, each figure leading to the children behind it."),
                  ("Self-evaluation (Annex B)", "reports:self-evaluation",
                   "The guide's checklist, year by year: the council's rating of each question beside the "
                   "evidence the service holds; prints for senior management."),
                  ("Returns and panel pack", "reports:returns",
                   "The termly CME and EHE return to the DfE, checked before it is made, and the monthly panel "
                   "pack (PDF)."),
                  ("Pace", "reports:pace",
                   "School days from referral to identified, located, provision determined and in provision: "
                   "median and 90th percentile by month and group.")]
    if not policy.may_manage(user):
        return render(request, "reports/manage.html", {"pages": pages})
    if policy.is_manager(user):
        pages += [("Team workload", "work:team", "Each officer's cases, overdue clocks and tasks; reassign work."),
                  ("Refused access", "reports:refused",
                   "Who asked for records they may not see, in the last 30 days."),
                  ("Off-rolling radar", "tracking:radar",
                   "Deletions per school per term against the council's rate: Years 10 and 11, home "
                   "education, and moves with no known destination.")]
    pages.append(("Rules and clocks", "reports:rules",
                  "The screening rules and case clocks in use, with where each comes from."))
    return render(request, "reports/manage.html", {"pages": pages})


@require_GET
def rules_view(request):
    """What the screening rules and the clocks are, with their sources: the citations and
    verification notes officers never see, for those who keep the files."""
    user = request.user
    policy.require_manager_or_administrator(user)
    la = user.organisation
    return render(request, "reports/rules.html", {
        "screening": screening_rules_in_use(la=la),
        "clocks": clock_rules(la_code=la.la_code or None),
    })


def _period(request) -> tuple[dt.date | None, dt.date | None, list[str]]:
    """The period asked for (from, to), or the problems with it."""
    problems, dates = [], []
    for name, label in (("from", "The start of the period"), ("to", "The end of the period")):
        raw = request.GET.get(name, "").strip()
        try:
            dates.append(dt.date.fromisoformat(raw) if raw else None)
        except ValueError:
            problems.append(f"{label} must be a date written YYYY-MM-DD")
            dates.append(None)
    return dates[0], dates[1], problems


@require_GET
def dashboard_view(request):
    start, end, problems = _period(request)
    area, group, groups = _area_and_group(request)
    figures = dashboard_figures(user=request.user, start=start, end=end, area=area, group=group)
    # The figures' part of the page is the same for every manager who sees the same figures: drawn
    # once per version of the data (the charts and tables cost more than the rest of the page).
    html_key = "dashboard-html:" + figures.cache_key
    figures_html = caches["local"].get(html_key) if figures.cache_key else None
    if figures_html is None:
        charts = {b.key: bar_chart(b.title, [(r.label, r.count) for r in b.rows]) for b in figures.breakdowns}
        months = [m for m, _, _ in figures.trend]
        trend_chart = line_chart("Cases referred and closed, last 24 months", months,
                                 {"Referred": [r for _, r, _ in figures.trend],
                                  "Closed": [c for _, _, c in figures.trend]})
        open_chart = line_chart("Children missing education and at risk at each month's end, last 24 months", months,
                                {"Missing education": [a for _, a, _ in figures.open_trend],
                                 "At risk": [b for _, _, b in figures.open_trend]})
        figures_html = render_to_string("reports/_dashboard_figures.html", {
            "figures": figures, "charts": charts, "trend_chart": trend_chart, "open_chart": open_chart,
            "channel_labels": dict(Channel.choices),
            "drill": lambda figure, value: dashboard_href(figure, value, period=figures.period, **figures.filters)}, request)
        if figures.cache_key:
            caches["local"].set(html_key, figures_html, 60)
    return render(request, "reports/dashboard.html", {
        "figures": figures, "figures_html": mark_safe(figures_html),  # noqa: S308 - our own template's output
        "problems": problems, "area": area, "groups": groups, "group": group})


def _area_and_group(request) -> tuple[str, str, list[tuple[str, str]]]:
    """The area (postcode district) and vulnerable group asked for, and the groups the user may
    filter by (restricted flags only for roles that may see them)."""
    area = request.GET.get("area", "").strip().upper()[:4]
    groups = [(v.value, v.label) for v in Vulnerability
              if policy.may_see_flag(request.user, restricted=v.value in RESTRICTED_FLAGS)]
    group = request.GET.get("group", "")
    return area, (group if group in dict(groups) else ""), groups


FIGURE_PER_PAGE = 50
CASE_EXPORT_HEADER = ["reference", "surname", "forename", "date_of_birth", "category", "stage", "referred_on",
                      "located_on", "provision_determined_on", "in_provision_on", "closed_on", "outcome",
                      "responsible_officer", "last_known_provider"]
REFERRAL_EXPORT_HEADER = ["reference", "received_on", "source", "child_surname", "child_forename",
                          "child_date_of_birth", "status", "case"]


@require_GET
def dashboard_children_view(request):
    """The children behind one figure of the dashboard, under the dashboard's filters: paged, and
    exported whole as CSV or XLSX (formula-safe). Shown and exported lists are audited."""
    user = request.user
    policy.require_management_view(user)
    start, end, _ = _period(request)
    area, group, _ = _area_and_group(request)
    figure, value = request.GET.get("figure", ""), request.GET.get("value", "")
    figures = dashboard_figures(user=user, start=start, end=end, area=area, group=group)
    period = figures.period
    fmt = request.GET.get("format", "")
    page = page_from(request.GET)
    try:
        found = figure_list(user=user, figure=figure, value=value, period=period, area=area, group=group,
                            offset=(page - 1) * FIGURE_PER_PAGE, limit=FIGURE_PER_PAGE,
                            export=fmt if fmt in ("csv", "xlsx") else "")
    except ValueError:
        raise Http404("The dashboard has no such figure") from None
    title = figure_title(figures, figure, value)
    if fmt in ("csv", "xlsx"):
        name = f"dashboard-{figure}-{value}".replace(".", "-")
        if found.kind == "cases":
            return export_response(fmt, filename=name, title="Children", header=CASE_EXPORT_HEADER, rows=(
                [c.reference, c.child.legal_surname, c.child.legal_forename, c.child.date_of_birth,
                 c.get_category_display(), c.get_stage_display(), c.referred_on, c.located_on,
                 c.provision_determined_on, c.moved_into_provision_on, c.closed_on, c.get_outcome_display(),
                 c.responsible_officer.get_full_name() if c.responsible_officer else "",
                 c.last_known_provider.name if c.last_known_provider else c.last_known_placement]
                for c in found.items))
        return export_response(fmt, filename=name, title="Referrals", header=REFERRAL_EXPORT_HEADER, rows=(
            [r.reference, timezone.localtime(r.received_at).date(), r.get_channel_display(), r.child_surname,
             r.child_forename, r.child_date_of_birth, r.get_status_display(), r.case.reference if r.case else ""]
            for r in found.items))
    query = with_params(request.GET, page=None, format=None)
    return render(request, "reports/dashboard_children.html", {
        "title": title, "found": found, "figures": figures, "page": page,
        "first_shown": (page - 1) * FIGURE_PER_PAGE + 1,
        "pagination": pagination_params(params=request.GET, page=page, total=found.total, per_page=FIGURE_PER_PAGE),
        "export_href": reverse("reports:dashboard-children") + query + ("" if query == "?" else "&") + "format=",
        "back_href": reverse("reports:dashboard") + with_params(request.GET, figure=None, value=None, page=None,
                                                                 format=None),
    })


@require_GET
def pace_view(request):
    start, end, problems = _period(request)
    pace = pace_figures(user=request.user, start=start, end=end)
    return render(request, "reports/pace.html", {"pace": pace, "steps": STEPS, "problems": problems})


@require_GET
def pace_children_view(request):
    start, end, _ = _period(request)
    pace = pace_figures(user=request.user, start=start, end=end)
    row, step = request.GET.get("row", "all"), request.GET.get("step", "")
    cases = pace_children(user=request.user, pace=pace, row_key=row, step=step)
    step_label = dict(STEPS).get(step, "")
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        audit_record(actor=request.user, action=Action.EXPORT, object_type="case", la_id=request.user.la_id,
                     summary=f"Exported the children behind a pace figure ({len(cases)} cases)",
                     detail={"ids": [c.pk for c in cases], "row": row, "step": step},
                     child_ids=[c.child_id for c in cases])
        return export_response(fmt, filename=f"pace-{row}-{step}", title="Pace",
                               header=["reference", "surname", "forename", "category", "referred_on",
                                       f"school_days_to_{step}"],
                               rows=([c.reference, c.child.legal_surname, c.child.legal_forename,
                                      c.get_category_display(), c.referred_on, c.pace_days] for c in cases))
    return render(request, "reports/pace_children.html", {
        "pace": pace, "cases": cases, "row": row, "step": step, "step_label": step_label,
        "query": request.GET.urlencode()})


@require_http_methods(["GET", "POST"])
def self_evaluation_view(request):
    """Annex B for a year: each question, the council's rating and note, last year's, and the live
    evidence. Managers answer; senior leaders and administrators read; it prints for senior
    management."""
    try:
        year = int(request.GET.get("year") or current_year())
    except ValueError:
        year = current_year()
    year = min(max(year, 2000), current_year() + 1)
    if request.method == "POST":
        try:
            for q in questions():
                if f"rating-{q.key}" in request.POST:
                    self_evaluation_answer(actor=request.user, year=year, question=q.key,
                                           rating=request.POST.get(f"rating-{q.key}", ""),
                                           note=request.POST.get(f"note-{q.key}", ""))
        except ValidationError as e:
            messages.error(request, "; ".join(e.messages))
        else:
            messages.success(request, "Self-evaluation saved")
        return redirect(reverse("reports:self-evaluation") + f"?year={year}")
    lines = self_evaluation(user=request.user, year=year)
    return render(request, "reports/self_evaluation.html", {
        "lines": lines, "year": year, "years": list(range(current_year(), current_year() - 5, -1)),
        "ratings": Rating.choices, "can_answer": policy.is_manager(request.user),
        "answered": sum(1 for line in lines if line.answer and line.answer.rating)})


@require_GET
def returns_view(request):
    """The termly DfE return (figures, its validation, the CSV) and the monthly panel pack."""
    today = dt.date.today()
    year = current_year()
    term = request.GET.get("term") or ("autumn" if today.month >= 9 else "spring" if today.month <= 3 else "summer")
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= year + 1 else year
    if term not in TERMS:
        term = "autumn"
    made = dfe_return(user=request.user, term=term, academic_year=year)
    if request.GET.get("format") == "csv":
        try:
            name, data = dfe_return_csv(user=request.user, term=term, academic_year=year)
        except ValueError:
            messages.error(request, "The return has problems to fix first: they are listed below")
            return redirect(reverse("reports:returns") + f"?term={term}&year={year}")
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "reports/returns.html", {
        "made": made, "terms": TERMS, "term": term, "year": year,
        "years": list(range(current_year(), current_year() - 4, -1)), "this_month": today.strftime("%Y-%m")})


@require_GET
def panel_pack_view(request):
    try:
        month = dt.date.fromisoformat((request.GET.get("month") or dt.date.today().strftime("%Y-%m")) + "-01")
    except ValueError:
        month = dt.date.today().replace(day=1)
    name, data = panel_pack_pdf(user=request.user, month=month)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def subject_access_view(request, child_id: int):
    """Everything held on one child, for a subject access request: JSON (complete) or PDF."""
    export = subject_access_export(user=request.user, child_id=child_id)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(export_pdf(export), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="subject-access-{child_id}.pdf"'
    else:
        response = HttpResponse(export_json(export), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="subject-access-{child_id}.json"'
    return response
