"""Register pages: the case list with its filter panel, and moving a case's stage or officer.
Thin: scoped selectors to read, services to write."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from cme.accounts import policy
from cme.cases.register import services, stages
from cme.cases.register.forms import AssignForm, CaseFilterForm, StageMoveForm
from cme.cases.register.models import Stage
from cme.cases.register.selectors import (
    CASE_SORTS,
    DEFAULT_CASE_SORT,
    case_get_for_user,
    case_list,
    case_officers,
    case_providers,
)
from cme.core.forms import apply_service_errors
from cme.core.paging import page_from, pagination_params, with_params

PER_PAGE = 25


# Column headings of the case list: (sort key or None, heading).
COLUMNS = [
    ("reference", "Case"),
    ("child", "Child"),
    ("category", "Category"),
    ("stage", "Stage"),
    ("officer", "Officer"),
    ("referred", "Referred"),
]


STAGE_TAG_CLASSES = {
    Stage.RECEIVED: "govuk-tag--grey",
    Stage.IDENTIFIED: "govuk-tag--grey",
    Stage.LOGGED: "govuk-tag--blue",
    Stage.LOCATING: "govuk-tag--red",
    Stage.LOCATED: "govuk-tag--orange",
    Stage.NEEDS_DETERMINED: "govuk-tag--yellow",
    Stage.PROVISION_IDENTIFIED: "govuk-tag--purple",
    Stage.ACCESSING_PROVISION: "govuk-tag--turquoise",
    Stage.IN_PROVISION: "govuk-tag--green",
    Stage.CLOSED: "govuk-tag--grey",
}


DATE_PARTS = ("day", "month", "year")


# Short names for the list's narrow category column; the filter and the case page say it in full.
CATEGORY_SHORT = {"missing": "Missing", "at_risk": "At risk", "not_cme": "Not CME"}


def _effective_params(request) -> QueryDict:
    """The list opens on open cases; once the filter form is used, its choices stand."""
    if request.GET:
        return request.GET
    params = QueryDict(mutable=True)
    params["open"] = "1"
    return params


def _selected_filters(form: CaseFilterForm, params: QueryDict) -> list[dict]:
    """The MoJ filter panel's "Selected filters": one heading per filter, with a link to remove it."""
    chosen = form.filters()
    groups = []

    def remove(*keys) -> str:
        return reverse("cases:list") + with_params(params, page=None, **dict.fromkeys(keys))

    def label_of(name, value) -> str:
        return dict(form.fields[name].choices).get(str(value), str(value))

    for name, value in (
        ("stage", chosen.stage),
        ("category", chosen.category),
        ("flag", chosen.flag),
        ("officer", chosen.officer),
        ("school", chosen.school),
    ):
        if value:
            groups.append({"heading": form.fields[name].label, "text": label_of(name, value), "href": remove(name)})
    for name, value in (("referred_from", chosen.referred_from), ("referred_to", chosen.referred_to)):
        if value:
            keys = [f"{name}-{part}" for part in DATE_PARTS]
            groups.append({"heading": form.fields[name].label, "text": value, "href": remove(*keys), "is_date": True})
    if chosen.query:
        groups.append({"heading": "Search", "text": f"“{chosen.query}”", "href": remove("q")})
    if chosen.open_only:
        groups.append({"heading": "Status", "text": "Open cases only", "href": remove("open") + "&open="})
    return groups


def _headers(params: QueryDict, sort: str) -> list[dict]:
    """Sortable column headings (server-side): each a link, with aria-sort on the sorted one."""
    heads = []
    current = sort.removeprefix("-")
    for key, text in COLUMNS:
        if key == current:
            aria = "descending" if sort.startswith("-") else "ascending"
            next_sort = key if sort.startswith("-") else f"-{key}"
        else:
            aria = "none"
            next_sort = f"-{key}" if key == "referred" else key
        heads.append({
            "text": text,
            "aria_sort": aria,
            "href": reverse("cases:list") + with_params(params, sort=next_sort, page=None),
        })
    return heads


def _filter_choices(user) -> tuple[list, list]:
    """The officers and schools offered as filters; they change rarely, so kept for a minute."""
    key = f"case-filter-choices:{user.la_id}"
    choices = caches["local"].get(key)
    if choices is None:
        choices = (case_officers(user=user), case_providers(user=user))
        caches["local"].set(key, choices)
    return choices


def _filter_form_html(request, form, params: QueryDict) -> str:
    """The filter panel's form, rendered once a minute per authority, role and filter state.

    It is the same for every page of a result and every officer of the authority, and its many
    GOV.UK fields cost as much to render as the rest of the page together. Forms with errors are
    always rendered afresh.
    """
    sort = params.get("sort", "")
    if form.errors:
        return render_to_string("cases/_filter_form.html", {"form": form, "sort": sort}, request)
    state = sorted((k, tuple(params.getlist(k))) for k in params if k != "page")
    raw = repr((request.user.la_id, policy.may_see_restricted(request.user), state))
    key = "case-filter-form:" + hashlib.sha256(raw.encode()).hexdigest()
    html = caches["local"].get(key)
    if html is None:
        html = render_to_string("cases/_filter_form.html", {"form": form, "sort": sort}, request)
        caches["local"].set(key, html)
    return mark_safe(html)  # noqa: S308 - our own template's output


@require_http_methods(["GET", "HEAD"])
def case_list_view(request):
    user = request.user
    policy.require_la_staff_or_404(user)
    params = _effective_params(request)
    officers, providers = _filter_choices(user)
    form = CaseFilterForm(params, user=user, officers=officers, providers=providers)
    form.is_valid()  # errors are shown; the valid filters still apply
    sort = params.get("sort") or DEFAULT_CASE_SORT
    if sort.removeprefix("-") not in CASE_SORTS:
        sort = DEFAULT_CASE_SORT
    page = page_from(params)
    rows, total = case_list(user=user, filters=form.filters(), page=page, per_page=PER_PAGE, sort=sort)
    return render(request, "cases/list.html", {
        "form": form,
        "filter_form": _filter_form_html(request, form, params),
        "cases": rows,
        "total": total,
        "page": page,
        "first_shown": (page - 1) * PER_PAGE + 1,
        "pagination": pagination_params(params=params, page=page, total=total, per_page=PER_PAGE),
        "selected": _selected_filters(form, params),
        "headers": _headers(params, sort),
        "stage_tag": STAGE_TAG_CLASSES,
        "category_short": CATEGORY_SHORT,
        "clear_href": reverse("cases:list") + "?open=",
    })


def action_page(request, case_id: int, *, form_class, template: str, perform, done: str, form_kwargs=None):
    """The shape every case action page shares: show the form, run the service, or show why not."""
    case = case_get_for_user(user=request.user, case_id=case_id, require=policy.require_caseworker)
    form_kwargs = form_kwargs(case) if form_kwargs else {}
    if request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                perform(case, form)
            except ValidationError as e:
                apply_service_errors(form, e)
            else:
                messages.success(request, done)
                return redirect("cases:detail", case.pk)
    else:
        form = form_class(**form_kwargs)
    return render(request, template, {"case": case, "form": form, **action_context(case, request.user)})


def action_context(case, user=None) -> dict:
    """The stages the case may move to now, and (forward) those it may not yet, with why. A
    manager is offered those too: moving past a missing step needs the manager's reason."""
    facts = services.case_stage_facts(case)
    moves = [(s, Stage(s).label) for s in stages.allowed_moves(case.stage, facts)]
    blocked = []
    if case.is_open:
        for s in stages.STAGES[stages.STAGES.index(case.stage) + 1:]:
            if s == Stage.CLOSED or any(s == m for m, _ in moves):
                continue
            if stages.move_problem(case.stage, s) is None or s in stages.SERVICE_ONLY:
                blocked.append((s, Stage(s).label, stages.refusal(case.stage, s, facts)))
    may_override = user is not None and policy.is_manager(user)
    if may_override:
        moves = [(s, Stage(s).label) for s in stages.STAGES
                 if any(s == m for m, _ in moves) or (any(s == b for b, _, _ in blocked)
                 and s not in stages.SERVICE_ONLY)]
    return {"moves": moves, "blocked": blocked, "may_override": may_override,
            "stage_tag": STAGE_TAG_CLASSES}


@require_http_methods(["GET", "POST"])
def case_stage_view(request, case_id: int):
    def perform(case, form):
        services.case_stage_advance(
            actor=request.user,
            case=case,
            to_stage=form.cleaned_data["to_stage"],
            note=form.cleaned_data["note"],
            on=form.cleaned_data["on"],
            override_reason=form.cleaned_data["override_reason"],
        )

    return action_page(
        request, case_id, form_class=StageMoveForm, template="cases/stage.html",
        perform=perform, done="Stage changed",
    )


@require_http_methods(["GET", "POST"])
def case_assign_view(request, case_id: int):
    officers = case_officers(user=request.user)

    def perform(case, form):
        services.case_assign(actor=request.user, case=case, officer=form.officer_user())

    def kwargs(case):
        return {"officers": officers, "initial": {"officer": str(case.responsible_officer_id or "")}}

    return action_page(
        request, case_id, form_class=AssignForm, template="cases/assign.html",
        perform=perform, done="Responsible officer changed", form_kwargs=kwargs,
    )


def form_page(request, *, form, template: str, context: dict, perform, done: str, to: str, to_args=()):
    if request.method == "POST" and form.is_valid():
        try:
            perform(form)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, done)
            return redirect(to, *to_args)
    return render(request, template, {"form": form, **context})
