"""Recording a risk of significant harm (the escalation page)."""

from __future__ import annotations

from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cme.accounts import policy
from cme.cases.escalation import services
from cme.cases.escalation.forms import SignificantHarmForm
from cme.cases.register.selectors import case_get_for_user
from cme.cases.register.views import form_page


@require_http_methods(["GET", "POST"])
def significant_harm_view(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id, require=policy.require_caseworker)
    form = SignificantHarmForm(request.POST or None)
    return form_page(
        request, form=form, template="work/significant_harm.html",
        context={"case": case, "back_href": reverse("cases:detail", args=[case.pk])},
        perform=lambda f: services.significant_harm_record(actor=request.user, case=case,
                                                           detail=f.cleaned_data["detail"]),
        done="Risk of significant harm recorded: social care and the police have been told",
        to="cases:detail", to_args=(case.pk,),
    )
