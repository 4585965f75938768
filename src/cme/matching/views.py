"""Pages: "Find a child" (search the rolls, the home-education list and the register) and the
officer's decision on a referral's candidate. Thin: parse, call a selector or service, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cme.core.paging import page_from, pagination_params
from cme.intake.models import ReferralStatus
from cme.intake.selectors import referral_get_for_user
from cme.matching import selectors
from cme.matching.forms import FindChildForm
from cme.matching.models import Decision
from cme.matching.services import match_decision_record

RESULTS_PER_PAGE = 25


@require_http_methods(["GET", "HEAD"])
def search(request):
    """The one search for a child: scored candidates when enough is given, else the children who
    fit what was given, a page at a time."""
    selectors.require_matching(request.user)
    params = FindChildForm.params_from_query(request.GET)
    form = FindChildForm(params or None)
    searched = form.is_bound and form.is_valid()
    page = page_from(request.GET)
    result = selectors.child_search(user=request.user, fields=form.search_fields(), page=page,
                                    per_page=RESULTS_PER_PAGE) if searched else None
    pagination = (pagination_params(params=params, page=page, total=result.fitting_total, per_page=RESULTS_PER_PAGE)
                  if result and result.fitting_total else None)
    return render(request, "matching/search.html", {
        "form": form, "searched": searched, "result": result, "candidates": result.candidates if result else [],
        "page": page, "pagination": pagination, "enough": selectors.ENOUGH_TO_SCORE,
    })


@require_POST
def referral_decide(request, reference: str):
    if not request.user.can_work_cases:
        raise PermissionDenied("Only officers who work cases can identify a referred child")
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
