"""Audit pages for managers: who has viewed a child; who was refused records outside their scope."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cme.audit.selectors import child_viewers, refused_attempts
from cme.cases.paging import page_from, pagination_params
from cme.people.selectors import child_get_for_user

PER_PAGE = 50


@require_http_methods(["GET", "HEAD"])
def child_viewers_view(request, child_id: int):
    user = request.user
    # Only the authority's managers may see who looked at a child; they see their own children only.
    if not user.is_manager:
        raise PermissionDenied("Only managers can see who has viewed a child")
    child = child_get_for_user(user=user, child_id=child_id)
    page = page_from(request.GET)
    events = child_viewers(child_id=child.pk, la_id=child.la_id)
    total = events.count()
    rows = list(events[(page - 1) * PER_PAGE : page * PER_PAGE])
    return render(request, "audit/child_viewers.html", {
        "child": child,
        "events": rows,
        "total": total,
        "pagination": pagination_params(params=request.GET, page=page, total=total, per_page=PER_PAGE),
    })


REFUSED_DAYS = 30


@require_http_methods(["GET", "HEAD"])
def refused_attempts_view(request):
    user = request.user
    if not user.is_manager:
        raise PermissionDenied("Only managers can see refused attempts to open records")
    rows = refused_attempts(la_id=user.la_id, days=REFUSED_DAYS)
    return render(request, "audit/refused_attempts.html", {
        "rows": rows, "days": REFUSED_DAYS, "repeated": sum(1 for r in rows if r.repeated),
    })
