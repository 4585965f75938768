"""Register pages: the case list with its filter panel, and moving a case's stage or officer.
Thin: scoped selectors to read, services to write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cme.accounts import policy
from cme.cases.register import services, stages
from cme.cases.register.forms import AssignForm, StageMoveForm
from cme.cases.register.models import Stage
from cme.cases.register.selectors import (
    case_get_for_user,
    case_officers,
)
from cme.core.forms import apply_service_errors

# One colour scheme for stages, by what the stage asks of the team (explained once, on the case
# list): waiting to be looked at, in progress, needs attention (the child's whereabouts are
# not known), done.
STAGE_KINDS = {
    "waiting": ("Waiting", "govuk-tag--grey", "Received or identified: not yet logged and worked"),
    "in_progress": ("In progress", "govuk-tag--blue", "Being worked: logged, located, needs and provision"),
    "attention": ("Needs attention", "govuk-tag--red", "Locating: nobody knows where the child is"),
    "done": ("Done", "govuk-tag--green", "In provision and monitored, or closed"),
}
STAGE_KIND = {
    Stage.RECEIVED: "waiting",
    Stage.IDENTIFIED: "waiting",
    Stage.LOGGED: "in_progress",
    Stage.LOCATING: "attention",
    Stage.LOCATED: "in_progress",
    Stage.NEEDS_DETERMINED: "in_progress",
    Stage.PROVISION_IDENTIFIED: "in_progress",
    Stage.ACCESSING_PROVISION: "in_progress",
    Stage.IN_PROVISION: "done",
    Stage.CLOSED: "done",
}
STAGE_TAG_CLASSES = {stage: STAGE_KINDS[kind][1] for stage, kind in STAGE_KIND.items()}


def action_page(request, case_id: int, *, form_class, template: str, perform, done: str, form_kwargs=None):
    """The shape every case action page shares: show the form, run the service, or show why not."""
    case = case_get_for_user(user=request.user, case_id=case_id, require=policy.require_caseworker)
    form_kwargs = form_kwargs(case) if form_kwargs else {}
    if request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                perform(case, form)
            except ValidationError as e:
                apply_service_errors(form, e)
            else:
                messages.success(request, done)
                return redirect("cases:detail", case.pk)
    else:
        form = form_class(**form_kwargs)
    return render(request, template, {"case": case, "form": form, **action_context(case, request.user)})


def action_context(case, user=None) -> dict:
    """The stages the case may move to now, and (forward) those it may not yet, with why. A
    manager is offered those too: moving past a missing step needs the manager's reason."""
    facts = services.case_stage_facts(case)
    moves = [(s, Stage(s).label) for s in stages.allowed_moves(case.stage, facts)]
    blocked = []
    if case.is_open:
        for s in stages.STAGES[stages.STAGES.index(case.stage) + 1:]:
            if s == Stage.CLOSED or any(s == m for m, _ in moves):
                continue
            if stages.move_problem(case.stage, s) is None or s in stages.SERVICE_ONLY:
                blocked.append((s, Stage(s).label, stages.refusal(case.stage, s, facts)))
    may_override = user is not None and policy.is_manager(user)
    if may_override:
        moves = [(s, Stage(s).label) for s in stages.STAGES
                 if any(s == m for m, _ in moves) or (any(s == b for b, _, _ in blocked)
                 and s not in stages.SERVICE_ONLY)]
    return {"moves": moves, "blocked": blocked, "may_override": may_override,
            "stage_tag": STAGE_TAG_CLASSES}


@require_http_methods(["GET", "POST"])
def case_stage_view(request, case_id: int):
    def perform(case, form):
        services.case_stage_advance(
            actor=request.user,
            case=case,
            to_stage=form.cleaned_data["to_stage"],
            note=form.cleaned_data["note"],
            on=form.cleaned_data["on"],
            override_reason=form.cleaned_data["override_reason"],
        )

    return action_page(
        request, case_id, form_class=StageMoveForm, template="cases/stage.html",
        perform=perform, done="Stage changed",
    )


@require_http_methods(["GET", "POST"])
def case_assign_view(request, case_id: int):
    officers = case_officers(user=request.user)

    def perform(case, form):
        services.case_assign(actor=request.user, case=case, officer=form.officer_user())

    def kwargs(case):
        return {"officers": officers, "initial": {"officer": str(case.responsible_officer_id or "")}}

    return action_page(
        request, case_id, form_class=AssignForm, template="cases/assign.html",
        perform=perform, done="Responsible officer changed", form_kwargs=kwargs,
    )


def form_page(request, *, form, template: str, context: dict, perform, done: str, to: str, to_args=()):
    if request.method == "POST" and form.is_valid():
        try:
            perform(form)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, done)
            return redirect(to, *to_args)
    return render(request, template, {"form": form, **context})
