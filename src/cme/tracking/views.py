"""Pages of step 10: deletion returns (schools), new entries to confirm and unreconciled leavers
(the authority), the off-rolling radar (managers)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cme.accounts import policy
from cme.attendance.selectors import la_providers
from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.core.exports import export_response
from cme.core.forms import apply_service_errors
from cme.providers.models import Enrolment, Organisation
from cme.tracking import selectors, services
from cme.tracking.forms import DecisionForm, DeletionReturnForm, LeaverFilterForm, ReturnsUploadForm
from cme.tracking.models import GROUND_LABELS, LeaverMatch, Source


@require_http_methods(["GET", "POST"])
def deletion_return_new(request):
    """A school returns a deletion of one of its own pupils."""
    user = request.user
    if not policy.is_school_user(user):
        # The authority's officers return a school's deletions through the API or a CSV upload.
        raise PermissionDenied("Schools return deletions of their own pupils here")
    provider: Organisation = user.organisation
    pupils = list(Enrolment.objects.filter(provider=provider, leaving_date__isnull=True)
                  .select_related("child").order_by("child__legal_surname", "child__legal_forename"))
    form = DeletionReturnForm(request.POST or None, pupils=pupils)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            record = services.deletion_return_record(
                actor=user, provider=provider, child=form.child(), deleted_on=d["deleted_on"],
                ground=d["ground"], source=Source.WEB, destination=d["destination"],
                destination_detail=d["destination_detail"],
                notice_received=d["notice_received"] if d["ground"] == "f" else None,
                other_registration=d["other_registration"], exclusion_on=d["exclusion_on"])
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, f"Deletion of {record.child.full_name} returned to {record.la.name}")
            return redirect("tracking:returns")
    return render(request, "tracking/deletion_new.html", {"form": form})


@require_http_methods(["GET", "POST"])
def deletion_returns_upload(request):
    """A CSV of deletion returns: a school for its own pupils, a case officer for the authority's schools."""
    user = request.user
    policy.require_deletion_returner(user)
    providers = ([user.organisation] if policy.is_school_user(user)
                 else list(Organisation.objects.filter(la_id=user.la_id).exclude(estab="")))
    form = ReturnsUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.deletion_returns_import(actor=user, data=form.cleaned_data["file"].read(),
                                                     providers=providers)
        except services.ReturnsRefused as e:
            problems = e.messages
        else:
            messages.success(request, f"{len(saved)} deletion returns imported")
            return redirect("tracking:returns")
    return render(request, "tracking/upload.html", {"form": form, "problems": problems})


@require_GET
def deletion_returns(request):
    if not policy.is_la_staff(request.user):
        policy.require_deletion_returner(request.user)
    rows = selectors.deletion_returns_list(user=request.user)
    return render(request, "tracking/returns.html", {"rows": rows, "is_school": policy.is_school_user(request.user),
                                                     "can_upload": policy.may_return_deletions(request.user)})


@require_GET
def leavers(request):
    user = request.user
    policy.require_la_staff(user, "Only council staff can see leavers")
    schools = la_providers(la_id=user.la_id)
    form = LeaverFilterForm(request.GET or None, schools=schools)
    school = ground = ""
    if form.is_bound and form.is_valid():
        school, ground = form.cleaned_data["school"], form.cleaned_data["ground"]
    rows = selectors.leavers_list(user=user, provider_id=int(school) if school else None, ground=ground)
    grace = services.grace_days(user.organisation)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        audit_record(actor=user, action=Action.EXPORT, object_type="leaver", la_id=user.la_id,
                     summary=f"Exported {len(rows)} leavers not found again ({fmt.upper()})",
                     detail={"ids": [r.pk for r in rows]}, child_ids=[r.child_id for r in rows])
        return _leavers_export(fmt, rows)
    return render(request, "tracking/leavers.html", {
        "rows": rows, "form": form, "grace": grace, "labels": GROUND_LABELS,
        "overdue": sum(1 for r in rows if (r.school_days or 0) > grace),
        "to_confirm": [r for r in rows if r.match_state == LeaverMatch.TO_CONFIRM],
        "can_decide": policy.may_work_cases(user),
        "csv_href": request.get_full_path() + ("&" if request.GET else "?") + "format=csv",
        "xlsx_href": request.get_full_path() + ("&" if request.GET else "?") + "format=xlsx",
    })


def _leavers_export(fmt: str, rows) -> HttpResponse:
    header = ["surname", "forename", "date_of_birth", "upn", "school", "leaving_date", "ground",
              "school_days", "referral", "possible_match_at", "possible_match_probability"]
    return export_response(fmt, filename="unreconciled-leavers", header=header, title="Leavers", rows=(
        [r.child.legal_surname, r.child.legal_forename, r.child.date_of_birth, r.child.upn,
         r.provider.name, r.leaving_date, r.ground, r.school_days,
         r.referral.reference if r.referral else "", *_possible_match(r)] for r in rows))


def _possible_match(r) -> list:
    if r.match_state != LeaverMatch.TO_CONFIRM or r.found_enrolment is None:
        return ["", ""]
    return [r.found_enrolment.provider.name, round(r.probability or 0, 3)]


@require_GET
def new_entries(request):
    policy.require_la_staff(request.user, "Only council staff can see new entries")
    return render(request, "tracking/new_entries.html",
                  {"rows": selectors.new_entries_to_confirm(user=request.user),
                   "can_decide": policy.may_work_cases(request.user)})


@require_POST
def new_entry_decide(request, entry_id: int):
    entry = selectors.new_entry_get_for_user(user=request.user, entry_id=entry_id, require=policy.require_caseworker)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.new_entry_decide(actor=request.user, entry=entry, confirm=form.cleaned_data["decision"] == "confirm")
        except ValidationError as e:
            messages.error(request, "; ".join(e.messages))
        else:
            messages.success(request, "Match confirmed: the leaver is found" if form.cleaned_data["decision"] == "confirm"
                             else "Match rejected")
    return redirect("tracking:new-entries")


@require_POST
def leaver_match_decide(request, leaver_id: int):
    leaver = selectors.leaver_get_for_user(user=request.user, leaver_id=leaver_id, require=policy.require_caseworker)
    form = DecisionForm(request.POST)
    if form.is_valid():
        confirm = form.cleaned_data["decision"] == "confirm"
        try:
            services.leaver_match_decide(actor=request.user, leaver=leaver, confirm=confirm)
        except ValidationError as e:
            messages.error(request, "; ".join(e.messages))
        else:
            messages.success(request, f"{leaver.child.full_name}: " + (
                "match confirmed, found again" if confirm else "match rejected, still not found"))
    return redirect("tracking:leavers")


@require_GET
def radar(request):
    rows, norms = selectors.off_rolling_radar(user=request.user)
    return render(request, "tracking/radar.html", {"rows": rows, "norms": norms, "labels": GROUND_LABELS,
                                                   "kinds": selectors.RADAR_KINDS,
                                                   "radar_min": selectors.RADAR_MIN})


