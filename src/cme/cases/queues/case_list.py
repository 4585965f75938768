"""The case list: every case in the user's scope, filtered, sorted and paged, with each case's
most urgent clock. It is a work queue (the clocks live here), so it sits in the queues room."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import caches
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from cme.accounts import policy
from cme.cases.queues.selectors import case_list_with_clocks, cases_for_export, clock_rules
from cme.cases.register.forms import CaseFilterForm
from cme.cases.register.selectors import (
    CASE_SORTS,
    DEFAULT_CASE_SORT,
    case_officers,
    case_providers,
)
from cme.cases.register.views import STAGE_KINDS, STAGE_TAG_CLASSES
from cme.core.exports import export_response
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
    ("due", "Next clock"),
]


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
    groups: list[dict[str, Any]] = []

    def remove(*keys) -> str:
        return reverse("cases:list") + with_params(params, page=None, **dict.fromkeys(keys))

    def label_of(name, value) -> str:
        return dict(getattr(form.fields[name], "choices", ())).get(str(value), str(value))

    for name, value in (
        ("overdue", chosen.overdue),
        ("stage", chosen.stage),
        ("category", chosen.category),
        ("flag", chosen.flag),
        ("officer", chosen.officer),
        ("school", chosen.school),
    ):
        if value:
            groups.append({"heading": form.fields[name].label, "text": label_of(name, value), "href": remove(name)})
    for name, day in (("referred_from", chosen.referred_from), ("referred_to", chosen.referred_to)):
        if day:
            keys = [f"{name}-{part}" for part in DATE_PARTS]
            groups.append({"heading": form.fields[name].label, "text": day, "href": remove(*keys), "is_date": True})
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


EXPORT_HEADER = ["reference", "surname", "forename", "date_of_birth", "upn", "category", "stage", "referred_on",
                 "located_on", "provision_determined_on", "in_provision_on", "closed_on", "outcome",
                 "responsible_officer", "last_known_provider"]


def _export_href(params: QueryDict) -> str:
    query = with_params(params, page=None, format=None)
    return reverse("cases:list") + query + ("" if query == "?" else "&") + "format="


def _export(fmt: str, cases) -> HttpResponse:
    rows = ([c.reference, c.child.legal_surname, c.child.legal_forename, c.child.date_of_birth, c.child.upn,
             c.get_category_display(), c.get_stage_display(), c.referred_on, c.located_on,
             c.provision_determined_on, c.moved_into_provision_on, c.closed_on, c.get_outcome_display(),
             c.responsible_officer.get_full_name() if c.responsible_officer else "",
             c.last_known_provider.name if c.last_known_provider else c.last_known_placement] for c in cases)
    return export_response(fmt, filename="cases", header=EXPORT_HEADER, rows=rows, title="Cases")


@require_http_methods(["GET", "HEAD"])
def case_list_view(request):
    user = request.user
    policy.require_la_staff_or_404(user)
    params = _effective_params(request)
    officers, providers = _filter_choices(user)
    clocks = [(r.key, r.name) for r in clock_rules(la_code=user.organisation.la_code or None)]
    form = CaseFilterForm(params, user=user, officers=officers, providers=providers, clocks=clocks)
    form.is_valid()  # errors are shown; the valid filters still apply
    sort = params.get("sort") or DEFAULT_CASE_SORT
    if sort.removeprefix("-") not in (*CASE_SORTS, "due"):
        sort = DEFAULT_CASE_SORT
    if request.GET.get("format") in ("csv", "xlsx"):
        return _export(request.GET["format"], cases_for_export(user=user, filters=form.filters(), sort=sort))
    page = page_from(params)
    rows, total, urgent = case_list_with_clocks(user=user, filters=form.filters(), page=page,
                                                per_page=PER_PAGE, sort=sort)
    return render(request, "cases/list.html", {
        "form": form,
        "filter_form": _filter_form_html(request, form, params),
        "cases": rows,
        "urgent": urgent,
        "total": total,
        "page": page,
        "first_shown": (page - 1) * PER_PAGE + 1,
        "pagination": pagination_params(params=params, page=page, total=total, per_page=PER_PAGE),
        "selected": _selected_filters(form, params),
        "headers": _headers(params, sort),
        "stage_tag": STAGE_TAG_CLASSES,
        "stage_kinds": STAGE_KINDS.values(),
        "category_short": CATEGORY_SHORT,
        "today": timezone.localdate(),
        "clear_href": reverse("cases:list") + "?open=",
        "export_href": _export_href(params),
    })


