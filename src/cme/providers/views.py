"""The provider directory: the list with its filters, and one provider's page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cme.accounts import policy
from cme.core.forms import apply_service_errors
from cme.providers import selectors
from cme.providers.forms import DirectoryFilterForm, LaContactForm, LaContactSearchForm
from cme.providers.hooks import provider_page_context
from cme.providers.services import la_contact_update

SHOWN = 200


@require_GET
def provider_list(request):
    user = request.user
    policy.require_directory_user(user)
    form = DirectoryFilterForm(request.GET or None)
    providers = selectors.provider_directory(user=user, **form.filters())
    total = providers.count()
    return render(request, "providers/list.html", {
        "may": {
            "upload_registers": policy.may_upload_registers(user),
            "load_term_dates": policy.may_load_la_registers(user),
            "see_la_contacts": policy.is_la_staff(user),
            "identify_pupils": policy.may_identify_pupils(user),
        },
        "form": form,
        "providers": list(providers[:SHOWN]),
        "total": total,
        "shown": SHOWN,
        "filtered": bool(request.GET),
    })


@require_GET
def provider_detail(request, provider_id: int):
    user = request.user
    provider = selectors.provider_get_for_user(user=user, provider_id=provider_id)
    return render(request, "providers/detail.html", {
        "provider": provider,
        "on_roll": selectors.current_roll_count(provider),
        "last_import": None,
        "can_import": False,
        **provider_page_context(user, provider),  # the roll's last import, from movements
    })


def can_edit_la_contacts(user) -> bool:
    return policy.may_edit_la_contacts(user)


@require_GET
def la_contact_list(request):
    user = request.user
    policy.require_la_staff_or_404(user)
    form = LaContactSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    rows = list(selectors.la_contacts(user=user, query=query))
    return render(request, "providers/la_contacts.html", {
        "form": form, "rows": rows, "can_edit": can_edit_la_contacts(user), "filtered": bool(query),
    })


@require_http_methods(["GET", "POST"])
def la_contact_edit(request, organisation_id: int):
    user = request.user
    policy.require_la_staff_or_404(user)
    organisation = selectors.la_contact_get_for_user(user=user, organisation_id=organisation_id)
    if not can_edit_la_contacts(user):
        raise PermissionDenied("Only a manager or an administrator can change LA contacts")
    if request.method == "POST":
        form = LaContactForm(request.POST)
        if form.is_valid():
            try:
                la_contact_update(actor=user, organisation=organisation, **form.cleaned_data)
            except ValidationError as e:
                apply_service_errors(form, e)
            else:
                messages.success(request, f"Contact for {organisation.name} saved")
                return redirect("providers:la-contacts")
    else:
        form = LaContactForm(initial={
            "contact_name": organisation.contact_name,
            "contact_email": organisation.contact_email,
            "contact_phone": organisation.contact_phone,
        })
    return render(request, "providers/la_contact_edit.html", {"form": form, "organisation": organisation})
