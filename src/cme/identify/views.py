"""Pages: "Find a child" (search the rolls, the home-education list and the register), the
officer's decision on a referral's candidate, and the pupils a roll could not link surely.
Thin: parse, call a selector or service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cme.accounts import policy
from cme.core.paging import page_from, pagination_params
from cme.identify import selectors
from cme.identify.forms import FindChildForm
from cme.identify.models import Decision
from cme.identify.services import match_decision_record
from cme.intake.models import ReferralStatus
from cme.intake.selectors import referral_get_for_user
from cme.movements.services import pupil_link_decide

RESULTS_PER_PAGE = 25


@require_http_methods(["GET", "HEAD"])
def search(request):
    """The one search for a child: scored candidates when enough is given, else the children who
    fit what was given, a page at a time."""
    policy.require_child_searcher(request.user)
    params = FindChildForm.params_from_query(request.GET)
    form = FindChildForm(params or None)
    searched = form.is_bound and form.is_valid()
    page = page_from(request.GET)
    result = selectors.child_search(user=request.user, fields=form.search_fields(), page=page,
                                    per_page=RESULTS_PER_PAGE) if searched else None
    pagination = (pagination_params(params=params, page=page, total=result.fitting_total, per_page=RESULTS_PER_PAGE)
                  if result and result.fitting_total else None)
    return render(request, "identify/search.html", {
        "form": form, "searched": searched, "result": result, "candidates": result.candidates if result else [],
        "page": page, "pagination": pagination, "enough": selectors.ENOUGH_TO_SCORE,
    })


@require_POST
def referral_decide(request, reference: str):
    # The role first (403 to anyone who may not decide, whatever they may see), then the door.
    policy.require_caseworker(request.user, "Only officers who work cases can identify a referred child")
    referral = referral_get_for_user(user=request.user, reference=reference)
    back = reverse("intake:triage", args=[referral.reference]) + "#identify"
    if referral.status != ReferralStatus.AWAITING_TRIAGE:
        messages.info(request, f"Referral {referral.reference} has already been triaged")
        return redirect("intake:detail", reference=referral.reference)
    decision = request.POST.get("decision", "")
    candidates, _ = selectors.referral_matches(user=request.user, referral=referral)
    chosen = next((c for c in candidates if str(c.child.pk) == request.POST.get("child", "")), None)
    try:
        match_decision_record(
            actor=request.user, referral=referral, decision=decision,
            found=chosen.found if chosen else None,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    if decision == Decision.CONFIRMED:
        messages.success(request, f"{chosen.child.full_name} confirmed as the child in this referral")
    elif decision == Decision.REJECTED:
        messages.success(request, f"{chosen.child.full_name} marked as not the child in this referral")
    else:
        messages.success(request, "Recorded: the child is on no roll")
    return redirect(back)


PER_PAGE = 50


@require_GET
def to_identify(request):
    """Pupils on imported rolls whom matching could not link surely: the officer says who each is."""
    page = page_from(request.GET)
    questions, total = selectors.link_questions_open(user=request.user, page=page, per_page=PER_PAGE)
    return render(request, "identify/to_identify.html", {
        "questions": questions, "total": total, "page": page,
        "pagination": pagination_params(params=request.GET, page=page, total=total, per_page=PER_PAGE),
    })


@require_http_methods(["GET", "POST"])
def identify(request, question_id: int):
    user = request.user
    question, pupil, candidates = selectors.link_question_get_for_user(user=user, question_id=question_id)
    if request.method == "POST":
        choice = request.POST.get("child", "")
        chosen = None
        if choice != "new":
            chosen = next((c.child for c in candidates if str(c.child.pk) == choice), None)
        if choice == "new" or chosen is not None:
            try:
                pupil_link_decide(actor=user, question=question, child=chosen)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("identify:identify", question_id=question.pk)
            who = chosen.full_name if chosen else "a child new to the register"
            messages.success(request, f"{pupil.full_name} on the roll of {question.provider.name} is {who}")
            return redirect("identify:to-identify")
        messages.error(request, "Choose the child this pupil is, or say the pupil is new to the register")
        return redirect("identify:identify", question_id=question.pk)
    return render(request, "identify/identify.html", {"question": question, "pupil": pupil, "candidates": candidates})
