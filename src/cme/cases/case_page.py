"""The case page: the one page that shows every room of a case (the register's details and
timeline, case work, clocks, tasks and escalations), so it sits above them all."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cme.accounts import policy
from cme.cases.casework.selectors import (
    case_joint_evidence,
    case_locations_seen_by,
    case_other_la_referrals,
    casework_timeline_items,
    closure_request_waiting,
    enquiry_checklist,
    needs_assessment_current,
)
from cme.cases.escalation.selectors import case_escalations, escalation_timeline_items
from cme.cases.queues.selectors import case_clocks, case_tasks
from cme.cases.register import services, stages
from cme.cases.register.forms import NoteForm
from cme.cases.register.models import Case, Stage
from cme.cases.register.selectors import (
    case_get_for_user,
    case_records_load,
    cases_for_child,
    register_timeline_items,
)
from cme.cases.register.views import STAGE_TAG_CLASSES
from cme.core.forms import apply_service_errors
from cme.people.selectors import visible_flags


def _detail_context(request, case, **forms) -> dict:
    user = request.user
    case_records_load(case)  # the sections and the timeline share one fetch of each record kind
    prefetch_related_objects([case.child], "flags")  # shown on the page and read by the clocks
    flags, flags_withheld = visible_flags(user, case.child)
    facts = services.case_stage_facts(case)
    return {
        "case": case,
        "child": case.child,
        "flags": [f for f in flags if f.is_current],
        "flags_withheld": flags_withheld,
        "timeline": case_timeline(case=case),
        "can_work": policy.may_work_cases(user),
        "moves": [Stage(s).label for s in stages.allowed_moves(case.stage, facts)],
        "steps": stages.steps(case.stage, facts) if case.is_open or facts["start_date"] else [],
        "note_form": forms.get("note_form") or NoteForm(),
        "stage_tag": STAGE_TAG_CLASSES,
        "work": case_work(user=user, case=case),  # clocks, tasks, escalations (issue 5)
        **casework_context(user, case),  # enquiries, locating, needs, closure approval (issue 5)
    }


@require_http_methods(["GET", "HEAD"])
def case_detail_view(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    return render(request, "cases/detail.html", _detail_context(request, case))


@require_POST
def case_note_view(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id, require=policy.require_caseworker)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.case_note_add(actor=request.user, case=case, text=form.cleaned_data["text"])
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, "Note added")
            return redirect("cases:detail", case.pk)
    return render(request, "cases/detail.html", _detail_context(request, case, note_form=form))


def child_page_cases(user, child) -> dict:
    """The child page's list of the child's cases (registered as a part of people's child page)."""
    return {"cases": cases_for_child(user=user, child=child), "stage_tag": STAGE_TAG_CLASSES}


def case_timeline(*, case: Case) -> list[dict]:
    """Everything that happened on a case, newest first: the register's entries (stage moves,
    notes, field changes, referrals), case work and escalations."""
    items = [
        *register_timeline_items(case=case),
        *escalation_timeline_items(case=case),
        *casework_timeline_items(case),
    ]
    items.sort(key=lambda i: i["at"], reverse=True)
    return items


def case_work(*, user, case: Case) -> dict:
    """What the case page's work sections show: clocks, tasks and escalations."""
    return {
        "clocks": case_clocks(case=case),
        "tasks": case_tasks(case=case),
        "escalations": case_escalations(user=user, case=case),
    }


def casework_context(user, case) -> dict:
    """What the case page's case work sections show (cases/_casework.html)."""
    checklist = enquiry_checklist(case=case)
    return {
        "enquiry_checklist": checklist,
        "enquiries_done": sum(1 for c in checklist if c.done),
        "locations": case_locations_seen_by(user=user, case=case),
        "other_la_referrals": case_other_la_referrals(case=case),
        "assessment": needs_assessment_current(case=case),
        "closure_waiting": closure_request_waiting(case=case),
        "evidence_list": case_joint_evidence(case=case),
        "is_manager": policy.is_manager(user),
    }
