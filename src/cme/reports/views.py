"""The home page: what each kind of user sees first. It reads every room through its doors, so
it lives on the top floor with the other management views."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from cme.accounts import policy
from cme.reports.selectors import la_staff_home


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
