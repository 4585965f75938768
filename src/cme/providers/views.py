"""The provider directory: the list with its filters, and one provider's page."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cme.accounts.models import Role
from cme.movements.selectors import can_import_roll, last_roll_import
from cme.providers import selectors
from cme.providers.forms import DirectoryFilterForm

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
