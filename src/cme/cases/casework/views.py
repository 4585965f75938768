"""Case work pages: enquiries, locating, key worker, needs assessment, closing and reopening,
approvals, and the printable evidence of joint reasonable enquiries. Thin: scoped selectors to
read, services to write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cme.accounts import policy
from cme.cases.casework import forms as cf
from cme.cases.casework import services
from cme.cases.casework.forms import CloseForm, ReopenForm
from cme.cases.casework.models import ApprovalState, ClosureState
from cme.cases.casework.selectors import (
    case_enquiries,
    joint_evidence_get,
    needs_assessment_current,
    other_la_directory,
)
from cme.cases.register.selectors import case_get_for_user, case_officers, case_providers
from cme.cases.register.views import action_page
from cme.core.forms import apply_service_errors


def _page(request, case_id: int, *, form_class, template: str, perform, done: str,
          form_kwargs=None, initial=None, extra=None, check=policy.require_caseworker):
    """Show the form, run the service, or show why not: the shape every case work page shares.

    perform(case, form) returns where to go next, or None for the case page.
    """
    case = case_get_for_user(user=request.user, case_id=case_id, require=check)
    kwargs = form_kwargs(case) if form_kwargs else {}
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                target = perform(case, form)
            except ValidationError as e:
                apply_service_errors(form, e)
            else:
                messages.success(request, done)
                return target or redirect("cases:detail", case.pk)
    else:
        form = form_class(initial=initial(case) if initial else None, **kwargs)
    context = {"case": case, "form": form}
    if extra:
        context.update(extra(case))
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def enquiry_new_view(request, case_id: int):
    user = request.user

    def perform(case, form):
        d = form.cleaned_data
        services.enquiry_record(
            actor=user, case=case, kind=d["kind"], made_on=d["made_on"], officer=form.picked(),
            outcome=d["outcome"], next_step=d["next_step"], joint_with=form.school(),
        )

    return _page(
        request, case_id, form_class=cf.EnquiryForm, template="cases/enquiry_new.html", perform=perform,
        done="Enquiry recorded",
        form_kwargs=lambda case: {"officers": case_officers(user=user), "schools": case_providers(user=user)},
        initial=lambda case: {"officer": str(user.pk), "kind": request.GET.get("kind", "")},
    )


@require_http_methods(["GET", "POST"])
def found_view(request, case_id: int):
    def perform(case, form):
        services.case_child_found(actor=request.user, case=case, **form.cleaned_data)

    return _page(request, case_id, form_class=cf.FoundForm, template="cases/found.html",
                 perform=perform, done="Recorded where the child was found")


@require_http_methods(["GET", "POST"])
def moved_view(request, case_id: int):
    user = request.user

    def perform(case, form):
        services.case_moved_to_other_la(
            actor=user, case=case, on=form.cleaned_data["on"], other_la=form.authority(),
            detail=form.cleaned_data["detail"],
        )

    return _page(
        request, case_id, form_class=cf.MovedForm, template="cases/moved.html", perform=perform,
        done="Referred to the other authority’s CME contact",
        form_kwargs=lambda case: {"authorities": other_la_directory(user=user)},
        extra=lambda case: {"can_edit_contacts": policy.may_edit_la_contacts(user)},
    )


@require_http_methods(["GET", "POST"])
def left_country_view(request, case_id: int):
    def perform(case, form):
        services.case_left_country(actor=request.user, case=case, **form.cleaned_data)

    return _page(request, case_id, form_class=cf.LeftCountryForm, template="cases/left_country.html",
                 perform=perform, done="Recorded that the family left the country")


@require_http_methods(["GET", "POST"])
def provision_view(request, case_id: int):
    """Steps 7 and 8: the provider with a place and, once agreed, the day the child starts."""
    user = request.user

    def perform(case, form):
        d = form.cleaned_data
        case = services.case_provision_identify(actor=user, case=case, provider=form.picked(),
                                                on=d["on"] or timezone.localdate(), detail=d["detail"])
        if d["starts_on"] is not None:
            services.case_provision_start(actor=user, case=case, starts_on=d["starts_on"])

    return _page(request, case_id, form_class=cf.ProvisionForm, template="cases/provision.html",
                 perform=lambda case, form: transaction.atomic()(perform)(case, form),
                 done="Provision recorded",
                 form_kwargs=lambda case: {"schools": case_providers(user=user)},
                 initial=lambda case: {"provider": str(case.provision_provider_id or "")})


@require_http_methods(["GET", "POST"])
def not_found_view(request, case_id: int):
    def perform(case, form):
        services.case_child_not_found(actor=request.user, case=case, **form.cleaned_data)

    return _page(request, case_id, form_class=cf.NotFoundForm, template="cases/not_found.html",
                 perform=perform, done="Recorded that the child cannot be found")


@require_http_methods(["GET", "POST"])
def other_la_accepted_view(request, case_id: int, referral_id: int):
    def referral_of(case):
        found = case.other_la_referrals.select_related("other_la").filter(pk=referral_id).first()
        if found is None:
            raise Http404("No such referral")
        return found

    def perform(case, form):
        services.other_la_referral_accept(
            actor=request.user, referral=referral_of(case), on=form.cleaned_data["accepted_on"]
        )

    return _page(request, case_id, form_class=cf.AcceptedForm, template="cases/other_la_accepted.html",
                 perform=perform, done="Recorded that the other authority accepted the child",
                 extra=lambda case: {"referral": referral_of(case)})


@require_http_methods(["GET", "POST"])
def key_worker_view(request, case_id: int):
    user = request.user

    def perform(case, form):
        services.case_key_worker_allocate(
            actor=user, case=case, officer=form.picked(), role=form.cleaned_data["role"],
            since=form.cleaned_data["since"],
        )

    return _page(
        request, case_id, form_class=cf.KeyWorkerForm, template="cases/key_worker.html", perform=perform,
        done="Key worker allocated",
        form_kwargs=lambda case: {"officers": case_officers(user=user)},
        initial=lambda case: {"officer": str(case.key_worker_id or ""), "role": case.key_worker_role or "key_worker"},
    )


NEEDS_FIELDS = (
    "education_history", "sen_status", "sen_detail", "health", "family_circumstances",
    "disengagement_reasons", "parent_preferences", "child_preferences", "recommended_provision",
    "provision_detail",
)


@require_http_methods(["GET", "POST"])
def needs_assessment_view(request, case_id: int):
    user = request.user

    def perform(case, form):
        complete = request.POST.get("action") == "complete"
        d = form.cleaned_data
        saved = services.needs_assessment_save(
            actor=user, case=case, complete=complete, assessed_on=d["assessed_on"],
            **{k: d[k] for k in NEEDS_FIELDS},
        )
        if not complete:
            messages.info(request, "Draft saved: complete the assessment when it is ready")
        elif saved.state == ApprovalState.AWAITING:
            messages.info(request, "Sent to a manager for approval")

    def initial(case):
        current = needs_assessment_current(case=case)
        if current is None or current.state not in (ApprovalState.DRAFT, ApprovalState.RETURNED):
            return None
        return {k: getattr(current, k) for k in (*NEEDS_FIELDS, "assessed_on")}

    return _page(
        request, case_id, form_class=cf.NeedsAssessmentForm, template="cases/needs_assessment.html",
        perform=perform, done="Needs assessment saved", initial=initial,
        extra=lambda case: {"current": needs_assessment_current(case=case)},
    )


@require_http_methods(["GET", "POST"])
def needs_decision_view(request, case_id: int, assessment_id: int):
    def assessment_of(case):
        found = case.needs_assessments.filter(pk=assessment_id, state=ApprovalState.AWAITING).first()
        if found is None:
            raise Http404("No assessment waiting for approval")
        return found

    def perform(case, form):
        services.needs_assessment_decide(
            actor=request.user, assessment=assessment_of(case),
            approve=form.cleaned_data["decision"] == "approve", note=form.cleaned_data["note"],
        )

    return _page(
        request, case_id, form_class=cf.DecisionForm, template="cases/needs_decision.html", perform=perform,
        done="Decision recorded", check=policy.require_manager,
        form_kwargs=lambda case: {"approve_label": "Approve the assessment",
                                  "return_label": "Return it to the officer for changes"},
        extra=lambda case: {"assessment": assessment_of(case)},
    )


@require_http_methods(["GET", "POST"])
def closure_decision_view(request, case_id: int, request_id: int):
    def closure_of(case):
        found = (case.closure_requests.select_related("requested_by")
                 .filter(pk=request_id, state=ClosureState.AWAITING).first())
        if found is None:
            raise Http404("No closure waiting for approval")
        return found

    def perform(case, form):
        services.case_closure_decide(
            actor=request.user, request=closure_of(case),
            approve=form.cleaned_data["decision"] == "approve", note=form.cleaned_data["note"],
        )

    return _page(
        request, case_id, form_class=cf.DecisionForm, template="cases/closure_decision.html",
        perform=perform, done="Decision recorded", check=policy.require_manager,
        form_kwargs=lambda case: {"approve_label": "Approve: close the case",
                                  "return_label": "Refuse: keep the case open"},
        extra=lambda case: {"closure": closure_of(case)},
    )


@require_http_methods(["GET", "POST"])
def evidence_new_view(request, case_id: int):
    user = request.user

    def perform(case, form):
        d = form.cleaned_data
        evidence = services.joint_evidence_produce(
            actor=user, case=case, school=form.picked_school(), ground=d["ground"],
            absence_from=d["absence_from"], leave_ended_on=d["leave_ended_on"],
            last_attended_on=d["last_attended_on"], absence_detail=d["absence_detail"],
        )
        return redirect("cases:evidence", case.pk, evidence.pk)

    return _page(
        request, case_id, form_class=cf.EvidenceForm, template="cases/evidence_new.html", perform=perform,
        done="Evidence produced: print this page",
        form_kwargs=lambda case: {"schools": case_providers(user=user)},
        initial=lambda case: {"school": str(case.last_known_provider_id or "")},
    )


@require_http_methods(["GET", "HEAD"])
def evidence_view(request, case_id: int, evidence_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    evidence = joint_evidence_get(case=case, evidence_id=evidence_id)
    return render(request, "cases/evidence.html", {
        "case": case, "child": case.child, "evidence": evidence,
        "enquiries": case_enquiries(case=case),
    })


@require_http_methods(["GET", "POST"])
def case_close_view(request, case_id: int):
    # Where the LA asks a manager to approve closures, an officer's closure waits for one.
    needs_approval = services.closure_approval_required(request.user)

    def perform(case, form):
        services.case_close_or_request(
            actor=request.user,
            case=case,
            outcome=form.cleaned_data["outcome"],
            detail=form.cleaned_data["detail"],
            on=form.cleaned_data["on"],
        )

    return action_page(
        request, case_id, form_class=CloseForm, template="cases/close.html",
        perform=perform, done="Sent to a manager for approval" if needs_approval else "Case closed",
    )


@require_http_methods(["GET", "POST"])
def case_reopen_view(request, case_id: int):
    def perform(case, form):
        services.case_reopen(actor=request.user, case=case, reason=form.cleaned_data["reason"])

    return action_page(
        request, case_id, form_class=ReopenForm, template="cases/reopen.html",
        perform=perform, done="Case reopened",
    )
