"""Roll pages: a provider's roll, the upload of a new one, and an import's report."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cme.core.csvfile import first
from cme.core.paging import page_from, pagination_params
from cme.core.uploads import too_large
from cme.movements import selectors
from cme.movements.ctf import CtfError, parse_ctf
from cme.movements.forms import RollUploadForm
from cme.movements.management.helpers import ctf_max_bytes
from cme.movements.services import (
    RollRefused,
    ctf_problems,
    roll_import_csv,
    roll_import_ctf,
)
from cme.providers.selectors import provider_get_for_user

PER_PAGE = 50


@require_GET
def roll(request, provider_id: int):
    user = request.user
    provider = provider_get_for_user(user=user, provider_id=provider_id)
    page = page_from(request.GET)
    pupils, total = selectors.roll_pupils(user=user, provider=provider, page=page, per_page=PER_PAGE)
    return render(request, "movements/roll.html", {
        "provider": provider,
        "pupils": pupils,
        "total": total,
        "imports": selectors.roll_imports_for(user=user, provider=provider),
        "can_import": selectors.can_import_roll(user, provider),
        "page": page,
        "pagination": pagination_params(params=request.GET, page=page, total=total, per_page=PER_PAGE),
    })


def _ctf_for_provider(data: bytes, provider):
    """The CTF, or the problems that stop it being this provider's roll."""
    try:
        ctf = parse_ctf(data, max_bytes=ctf_max_bytes())
    except CtfError as error:
        return None, [str(p) for p in ctf_problems(error)]
    if problem := selectors.ctf_roll_problem(ctf, provider):
        return None, [problem]
    return ctf, []


@require_http_methods(["GET", "POST"])
def upload(request, provider_id: int):
    user = request.user
    provider = provider_get_for_user(user=user, provider_id=provider_id)
    if not selectors.can_import_roll(user, provider):
        raise PermissionDenied("You may not upload a roll for this provider")
    form = RollUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["roll_file"]
        as_of = form.cleaned_data["as_of"]
        if problem := too_large("roll", upload_file.size):
            problems = [problem]
        else:
            data = upload_file.read()
            record = None
            try:
                if not form.is_ctf:
                    record = roll_import_csv(
                        actor=user, provider=provider, as_of=as_of, data=data, file_name=upload_file.name)
                else:
                    ctf, problems = _ctf_for_provider(data, provider)
                    if ctf is not None:
                        record = roll_import_ctf(
                            actor=user, provider=provider, ctf=ctf, as_of=as_of, file_name=upload_file.name)
            except RollRefused as refused:
                problems = [str(p) for p in refused.problems]
            if record is not None:
                messages.success(request, f"Roll imported: {record.joined} joined, {record.left} left"
                                 + (f", {record.to_identify} to identify" if record.to_identify else ""))
                return redirect("movements:import", import_id=record.pk)
        if problems:
            form.add_error("roll_file", f"Nothing was imported: the file has {len(problems):,} "
                           f"{'problem' if len(problems) == 1 else 'problems'}, listed below")
    # A file of 100,000 bad rows: the first problems and the count, not a 35 MB page.
    shown, more = first(problems)
    return render(request, "movements/upload.html", {"provider": provider, "form": form, "problems": shown,
                                                     "more_problems": more})


@require_GET
def import_report(request, import_id: int):
    user = request.user
    record = selectors.roll_import_get_for_user(user=user, import_id=import_id)
    return render(request, "movements/import.html", {
        "record": record,
        "changes": selectors.roll_import_changes(user=user, record=record),
        "child_links": user.is_la_staff,
    })
