"""Pages of places, placement requests and panels. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cme.accounts import policy
from cme.cases.register.selectors import case_get_for_user, case_officers
from cme.core.forms import apply_service_errors
from cme.places import ranking, selectors, services
from cme.places.forms import (
    AnswerForm,
    CapacityForm,
    DecisionForm,
    PanelForm,
    PlacesForm,
    ProfileForm,
    RequestForm,
)
from cme.places.models import RequestState


def _works(user, _request=None) -> None:
    policy.require_caseworker(user)


@require_http_methods(["GET", "HEAD"])
def home(request):
    """The authority's places pages in one list."""
    user = request.user
    policy.require_la_staff_or_404(user)
    pages = [("Requests for a place", "places:requests", "Every request made to a school or provider, and its answer."),
             ("Alternative provision", "places:directory",
              "What each alternative provider and pupil referral unit offers, how to refer, and its cost."),
             ("Panels", "places:panels", "Fair Access, hard to place and CME panels: agendas, decisions and minutes.")]
    if policy.is_manager(user):
        pages.append(("Refused requests", "places:refusals", "Refusals counted per school per term."))
    providers = list(selectors.providers_for_places(user=user).filter(is_open=True).order_by("name"))
    return render(request, "places/home.html", {"pages": pages, "providers": providers})


@require_http_methods(["GET", "HEAD", "POST"])
def case_places(request, case_id: int):
    """The suitable places for the child, the requests made, and asking for a place."""
    user = request.user
    case = case_get_for_user(user=user, case_id=case_id, require=_works if request.method == "POST" else None)
    year_param = request.GET.get("year_group", "")
    year = ranking.year_number(year_param) if year_param else None
    child, found, gaps = selectors.case_places(case=case, year=year)
    providers = list(selectors.providers_for_places(user=user).filter(is_open=True).order_by("name"))
    initial = {"year_group": ranking.year_label(child.year), "provider": request.GET.get("provider", ""),
               "kind": "admission"}
    form = RequestForm(request.POST or None, providers=providers, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.placement_request(actor=user, case=case, provider=form.picked(), kind=form.cleaned_data["kind"],
                                       year_group=form.cleaned_data["year_group"], note=form.cleaned_data["note"])
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, f"Asked {form.picked().name} for a place")
            return redirect("places:case", case.pk)
    return render(request, "places/case.html", {
        "case": case, "child": child, "year_words": ranking.year_words(child.year), "suggestions": found,
        "gaps": gaps, "requests": selectors.case_requests(case=case), "form": form,
        "watches": list(case.provision_watches.select_related("provider")),
        "can_work": policy.may_work_cases(user) and case.is_open,
    })


@require_http_methods(["GET", "HEAD"])
def requests_list(request):
    """The requests for a place: a provider's staff see those made to them; the authority's all."""
    user = request.user
    if not (policy.is_la_staff(user) or policy.may_answer_placement_requests(user)):
        raise Http404("No such page")
    return render(request, "places/requests.html", {"requests": selectors.provider_requests(user=user),
                                                    "is_school": not policy.is_la_staff(user)})


@require_http_methods(["GET", "HEAD", "POST"])
def request_detail(request, request_id: int):
    user = request.user
    found = selectors.request_get_for_user(
        user=user, request_id=request_id,
        require=policy.require_request_answerer if request.method == "POST" else None)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.placement_answer(actor=user, request=found, answer=data["answer"], start_on=data["start_on"],
                                      reason=data["reason"])
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, "Answer recorded")
            return redirect("places:request", found.pk)
    return render(request, "places/request.html", {
        "r": found, "form": form, "is_la": policy.is_la_staff(user),
        "can_answer": found.state == RequestState.WAITING and policy.may_answer_placement_request(user, found),
        "can_work": policy.may_work_cases(user),
    })


def _request_action(request, request_id: int, action, done: str):
    found = selectors.request_get_for_user(user=request.user, request_id=request_id, require=_works)
    try:
        action(actor=request.user, request=found)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, done)
    return redirect("places:case", found.case_id)


@require_POST
def request_accept(request, request_id: int):
    return _request_action(request, request_id, services.placement_accept,
                           "The offer was taken up: the provision and its start date are on the case")


@require_POST
def request_withdraw(request, request_id: int):
    return _request_action(request, request_id, services.placement_withdraw, "Request withdrawn")


@require_http_methods(["GET", "HEAD", "POST"])
def provider_places(request, provider_id: int):
    user = request.user
    provider = selectors.provider_get_for_places(user=user, provider_id=provider_id)
    keeper = policy.may_keep_places_directory(user)
    form = PlacesForm(request.POST if request.method == "POST" and request.POST.get("form") != "capacity" else None)
    capacity_form = CapacityForm(request.POST if request.POST.get("form") == "capacity" else None)
    if request.method == "POST" and request.POST.get("form") == "capacity":
        policy.require_places_keeper(user)
        if capacity_form.is_valid():
            try:
                services.places_set_capacity(actor=user, provider=provider,
                                             year_group=capacity_form.cleaned_data["year_group"],
                                             capacity=capacity_form.cleaned_data["capacity"])
            except ValidationError as e:
                apply_service_errors(capacity_form, e)
            else:
                messages.success(request, "Capacity saved")
                return redirect("places:provider", provider.pk)
    elif request.method == "POST":
        policy.require_places_updater(user, provider)
        if form.is_valid():
            try:
                services.places_school_update(actor=user, provider=provider, year_group=form.cleaned_data["year_group"],
                                              places_free=form.cleaned_data["places_free"])
            except ValidationError as e:
                apply_service_errors(form, e)
            else:
                messages.success(request, "Places updated")
                return redirect("places:provider", provider.pk)
    profile = getattr(provider, "places_profile", None) if provider.kind in ("ap", "pru") else None
    return render(request, "places/provider.html", {
        "provider": provider, "rows": selectors.provider_places(provider=provider), "form": form,
        "capacity_form": capacity_form, "keeper": keeper, "profile": profile,
        "is_ap": provider.kind in ("ap", "pru"),
        "stale_days": selectors.settings.CME_PLACES_STALE_DAYS,
    })


@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request, provider_id: int):
    """What an alternative provider offers, for the directory."""
    user = request.user
    policy.require_places_keeper(user)
    provider = selectors.provider_get_for_places(user=user, provider_id=provider_id)
    profile = getattr(provider, "places_profile", None)
    initial = {}
    if profile is not None:
        initial = {"low_year": ranking.year_label(profile.low_year) if profile.low_year is not None else "",
                   "high_year": ranking.year_label(profile.high_year) if profile.high_year is not None else "",
                   "needs_met": sorted(profile.needs), "referral_route": profile.referral_route,
                   "hours_per_week": profile.hours_per_week, "cost_per_week": profile.cost_per_week,
                   "serves_km": profile.serves_km, "places_free": profile.places_free}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_save(actor=user, provider=provider, low_year=data["low_year"], high_year=data["high_year"],
                                  needs_met=data["needs_met"], referral_route=data["referral_route"],
                                  hours_per_week=data["hours_per_week"], cost_per_week=data["cost_per_week"],
                                  serves_km=data["serves_km"], places_free=data["places_free"])
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, "Directory entry saved")
            return redirect("places:directory")
    return render(request, "places/profile.html", {"provider": provider, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def panel_new(request):
    user = request.user
    policy.require_manager(user)
    form = PanelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.panel_create(actor=user, name=form.cleaned_data["name"], kind=form.cleaned_data["kind"],
                                  members=form.member_list())
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, "Panel set up")
            return redirect("places:panels")
    return render(request, "places/panel_new.html", {"form": form})


@require_http_methods(["GET", "HEAD"])
def directory(request):
    return render(request, "places/directory.html", {"entries": selectors.ap_directory(user=request.user),
                                                     "keeper": policy.may_keep_places_directory(request.user)})


@require_http_methods(["GET", "HEAD"])
def refusals(request):
    return render(request, "places/refusals.html", {"rows": selectors.refusals_by_school(user=request.user)})


@require_http_methods(["GET", "HEAD"])
def panels(request):
    policy.require_la_staff_or_404(request.user)
    found = list(selectors.panels_visible_to(request.user).prefetch_related("members", "meetings"))
    return render(request, "places/panels.html", {
        "panels": found, "candidates": selectors.agenda_candidates(user=request.user),
        "can_work": policy.may_work_cases(request.user), "can_set_up": policy.is_manager(request.user)})


@require_POST
def meeting_new(request, panel_id: int):
    user = request.user
    policy.require_caseworker(user)
    panel = selectors.panels_visible_to(user).filter(pk=panel_id).first()
    if panel is None:
        raise Http404("No such panel")
    meeting = services.meeting_create(actor=user, panel=panel, held_on=timezone.localdate(),
                                      cases=selectors.agenda_candidates(user=user))
    messages.success(request, "Meeting set up with its agenda")
    return redirect("places:meeting", meeting.pk)


def _meeting_context(user, meeting, forms=None) -> dict:
    officers = case_officers(user=user)
    items = selectors.meeting_items(meeting=meeting)
    forms = forms or {}
    return {"meeting": meeting, "items": [(i, forms.get(i.pk) or DecisionForm(officers=officers, prefix=f"i{i.pk}"))
                                          for i in items],
            "can_work": policy.may_work_cases(user), "restricted": policy.may_see_panel_restricted(user)}


@require_http_methods(["GET", "HEAD"])
def meeting(request, meeting_id: int):
    found = selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    return render(request, "places/meeting.html", _meeting_context(request.user, found))


@require_POST
def item_decide(request, meeting_id: int, item_id: int):
    user = request.user
    found = selectors.meeting_get_for_user(user=user, meeting_id=meeting_id)
    policy.require_caseworker(user)
    item = next((i for i in selectors.meeting_items(meeting=found) if i.pk == item_id), None)
    if item is None:
        raise Http404("No such item")
    form = DecisionForm(request.POST, officers=case_officers(user=user), prefix=f"i{item.pk}")
    if form.is_valid():
        try:
            services.agenda_decide(actor=user, item=item, decision=form.cleaned_data["decision"],
                                   restricted_notes=form.cleaned_data["restricted_notes"], actions=form.actions())
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, f"Decision recorded for case {item.case.reference}")
            return redirect("places:meeting", found.pk)
    return render(request, "places/meeting.html", _meeting_context(user, found, {item.pk: form}))


@require_http_methods(["GET", "HEAD"])
def minutes(request, meeting_id: int):
    found = selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    return render(request, "places/minutes.html", _meeting_context(request.user, found))
