"""Work queue pages: my work, the team's workload, reassignment and tasks. Thin: scoped
selectors to read, services to write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cme.accounts import policy
from cme.cases.queues import services
from cme.cases.queues.forms import ReassignAllForm, ReassignCaseForm, TaskForm
from cme.cases.queues.selectors import (
    my_work_page,
    officer_get_for_manager,
    officer_open_work,
    task_get_for_user,
    team_officers,
    team_workload,
)
from cme.cases.register.selectors import case_get_for_user
from cme.cases.register.views import STAGE_TAG_CLASSES, form_page
from cme.core.forms import apply_service_errors
from cme.core.paging import page_from, pagination_params

# An officer may hold hundreds of open cases: the most pressing come first, a page at a time.
MY_CASES_PER_PAGE = 50


@require_http_methods(["GET", "HEAD"])
def my_work_view(request):
    policy.require_la_staff_or_404(request.user)
    page = page_from(request.GET)
    tasks, cases, total = my_work_page(user=request.user, page=page, per_page=MY_CASES_PER_PAGE)
    return render(request, "work/mine.html", {
        "tasks": tasks, "cases": cases, "cases_total": total, "today": timezone.localdate(),
        "stage_tag": STAGE_TAG_CLASSES, "page": page, "first_shown": (page - 1) * MY_CASES_PER_PAGE + 1,
        "pagination": pagination_params(params=request.GET, page=page, total=total, per_page=MY_CASES_PER_PAGE),
    })


@require_http_methods(["GET", "HEAD"])
def team_view(request):
    policy.require_la_staff_or_404(request.user)
    return render(request, "work/team.html", {"loads": team_workload(user=request.user)})


@require_http_methods(["GET", "POST"])
def reassign_case_view(request, case_id: int):
    policy.require_la_staff_or_404(request.user)
    case = case_get_for_user(user=request.user, case_id=case_id, require=policy.require_manager)
    if not case.is_open:
        raise Http404("The case is closed")
    officers = team_officers(user=request.user)
    form = ReassignCaseForm(request.POST or None, officers=officers,
                            initial={"officer": str(case.responsible_officer_id or "")})
    return form_page(
        request, form=form, template="work/reassign_case.html",
        context={"case": case, "back_href": reverse("work:team")},
        perform=lambda f: services.case_reassign(actor=request.user, case=case, officer=f.chosen("officer")),
        done=f"Case {case.reference} reassigned", to="work:team",
    )


@require_http_methods(["GET", "POST"])
def reassign_all_view(request, officer_id: int):
    """When someone leaves: all their open cases and tasks to another officer."""
    policy.require_la_staff_or_404(request.user)
    officer = officer_get_for_manager(user=request.user, officer_id=officer_id)
    officers = [o for o in team_officers(user=request.user) if o.pk != officer.pk]
    form = ReassignAllForm(request.POST or None, officers=officers)
    if request.method == "POST" and form.is_valid():
        to_officer = form.chosen("to_officer")
        try:
            done = services.caseload_reassign(actor=request.user, from_officer=officer, to_officer=to_officer)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            n = len(set(done.cases) | set(done.key_worker_cases))
            messages.success(request, f"{n} case{'s' if n != 1 else ''} and {done.tasks} "
                                      f"task{'s' if done.tasks != 1 else ''} given to {to_officer}")
            return redirect("work:team")
    open_cases, open_tasks = officer_open_work(user=request.user, officer=officer)
    return render(request, "work/reassign_all.html", {
        "form": form, "officer": officer, "open_cases": open_cases, "open_tasks": open_tasks,
        "back_href": reverse("work:team"),
    })


@require_http_methods(["GET", "POST"])
def task_new_view(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id, require=policy.require_caseworker)
    form = TaskForm(request.POST or None, officers=team_officers(user=request.user),
                    initial={"assigned_to": str(case.responsible_officer_id or "")})

    def perform(f):
        services.task_create(
            actor=request.user, case=case, title=f.cleaned_data["title"], due_on=f.cleaned_data["due_on"],
            assigned_to=f.chosen("assigned_to"), urgent=f.cleaned_data["urgent"],
        )

    return form_page(request, form=form, template="work/task_new.html",
                      context={"case": case, "back_href": reverse("cases:detail", args=[case.pk])},
                      perform=perform, done="Task added", to="cases:detail", to_args=(case.pk,))


@require_POST
def task_done_view(request, task_id: int):
    task = task_get_for_user(user=request.user, task_id=task_id, require=policy.require_caseworker)
    try:
        services.task_complete(actor=request.user, task=task)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, "Task done")
    if request.POST.get("next") == "mine":
        return redirect("work:mine")
    return redirect("cases:detail", task.case_id)
