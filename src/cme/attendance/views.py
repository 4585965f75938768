"""Pages: upload term dates (LA staff) and registers (schools, alternative providers, LA staff).

Views parse the upload, call one service and render its report.
"""

from itertools import groupby

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cme.accounts import policy
from cme.attendance import selectors
from cme.attendance.forms import RegisterUploadForm, TermDatesForm
from cme.attendance.services import ImportRejected, register_upload_queue, term_dates_import
from cme.core.csvfile import first
from cme.core.forms import apply_service_errors
from cme.core.uploads import UploadNotKept, limit_for

# How many problems the page lists; the count says how many more there were.
SHOWN_ERRORS = 100


def _rejected(form, e: ImportRejected) -> dict:
    n = len(e.errors)
    form.add_error("file", f"The file was not loaded: {n:,} problem{'s' if n != 1 else ''} "
                           "found, listed below. Correct the file and upload it again")
    shown, more = first(e.errors, SHOWN_ERRORS)
    return {"problems": shown, "more_problems": more}


@require_http_methods(["GET", "POST"])
def register_upload(request):
    scope = policy.register_scope(request.user)
    if request.method == "POST":
        form = RegisterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                # Kept on disk and loaded by the task queue: the page follows the load.
                queued = register_upload_queue(actor=request.user, chunks=upload.chunks(), filename=upload.name,
                                               size=upload.size, **scope)
            except ValidationError as e:
                apply_service_errors(form, e)
            except UploadNotKept as e:
                form.add_error("file", str(e))
            else:
                return redirect("attendance:upload-status", queued.pk)
    else:
        form = RegisterUploadForm()
    return render(request, "attendance/upload.html", {
        "form": form, "own_provider": request.user.organisation if "provider_id" in scope else None,
        "imports": selectors.register_imports_for(user=request.user),
        "uploads": selectors.register_uploads_for(user=request.user),
        "limit": f"{limit_for('register') // (1024 * 1024)} MB"})


@require_http_methods(["GET"])
def register_upload_status(request, upload_id: int):
    upload = selectors.register_upload_get_for_user(user=request.user, upload_id=upload_id)
    if request.GET.get("format") == "json":
        return JsonResponse({"state": upload.state, "label": upload.get_state_display(), "rows_read": upload.done,
                             "finished": upload.finished, "status": status_text(upload)})
    report = upload.register_import
    return render(request, "attendance/upload_status.html", {
        "upload": upload, "status": status_text(upload), "report": report,
        "problems": upload.problems, "more_problems": max(upload.problem_count - len(upload.problems), 0)})


def status_text(upload) -> str:
    if upload.state == "queued":
        return "Waiting to be loaded."
    if upload.state == "running":
        return (f"{upload.done:,} rows read: writing the registers." if upload.done
                else "Reading the file.")
    if upload.state == "done":
        return "Loaded."
    return upload.get_state_display() + "."


@require_http_methods(["GET", "POST"])
def term_dates(request):
    policy.require_la_loader(request.user)
    la_id = request.user.la_id
    providers = selectors.la_providers(la_id=la_id)
    extra: dict = {}
    if request.method == "POST":
        form = TermDatesForm(request.POST, request.FILES, providers=providers)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                # The bytes as uploaded, read by the shared CSV reader: text.splitlines() would
                # split rows at U+2028, U+0085 and form feed, and shift every row number after.
                extra["report"] = term_dates_import(
                    actor=request.user, la_id=la_id, data=upload.read(),
                    provider_id=int(form.cleaned_data["provider"]) if form.cleaned_data["provider"] else None,
                    filename=upload.name)
            except ImportRejected as e:
                extra |= _rejected(form, e)
            else:
                form = TermDatesForm(providers=providers)
    else:
        form = TermDatesForm(providers=providers)
    held = selectors.term_dates_held(la_id=la_id)
    scopes = [(name, list(rows)) for name, rows in
              groupby(held, key=lambda p: p.provider.name if p.provider_id else "")]
    return render(request, "attendance/term_dates.html", {"form": form, "scopes": scopes, **extra})
