"""The home page: what each kind of user sees first. It reads every room through its doors, so
it lives on the top floor with the other management views."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from cme.accounts import policy
from cme.audit.selectors import child_viewers, refused_attempts
from cme.cases.queues.selectors import clock_rules
from cme.core.paging import page_from, pagination_params
from cme.intake.screening_service import rules_for_la
from cme.people.selectors import child_get_for_user
from cme.reports.selectors import la_staff_home

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
    policy.require_manager_or_administrator(user)
    pages = []
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
