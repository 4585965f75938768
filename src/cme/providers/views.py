"""The provider directory: the list with its filters, and one provider's page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cme.accounts.models import Role
from cme.core.forms import apply_service_errors
from cme.movements.selectors import can_import_roll, last_roll_import
from cme.providers import selectors
from cme.providers.forms import DirectoryFilterForm, LaContactForm, LaContactSearchForm
from cme.providers.services import la_contact_update

SHOWN = 200


def _require_directory_user(user) -> None:
    if not (user.is_la_staff or (user.has_role(Role.SCHOOL) and user.organisation.is_provider)):
        raise PermissionDenied("The directory is for council staff and providers")


@require_GET
def provider_list(request):
    user = request.user
    _require_directory_user(user)
    form = DirectoryFilterForm(request.GET or None)
    providers = selectors.provider_directory(user=user, **form.filters())
    total = providers.count()
    return render(request, "providers/list.html", {
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
        "last_import": last_roll_import(provider),
        "can_import": can_import_roll(user, provider),
    })


def _require_la_staff(user) -> None:
    # The directory of other LAs belongs to an authority: nobody outside its staff sees it.
    if not user.is_la_staff:
        raise Http404("No such page")


def can_edit_la_contacts(user) -> bool:
    return user.is_la_staff and user.has_role(Role.MANAGER, Role.ADMINISTRATOR)


@require_GET
def la_contact_list(request):
    user = request.user
    _require_la_staff(user)
    form = LaContactSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    rows = list(selectors.la_contacts(user=user, query=query))
    return render(request, "providers/la_contacts.html", {
        "form": form, "rows": rows, "can_edit": can_edit_la_contacts(user), "filtered": bool(query),
    })


@require_http_methods(["GET", "POST"])
def la_contact_edit(request, organisation_id: int):
    user = request.user
    _require_la_staff(user)
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
