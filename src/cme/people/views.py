"""Children pages: search, a school's pupils, the child page, its edits and its history.
Thin: scoped selectors to read, services to write."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cme.accounts import policy
from cme.core.forms import apply_service_errors
from cme.core.paging import page_from, pagination_params
from cme.people import services
from cme.people.forms import (
    AddressForm,
    ChildDetailsForm,
    ChildSearchForm,
    ContactForm,
    FlagForm,
    NameForm,
)
from cme.people.hooks import child_page_context
from cme.people.models import NameKind
from cme.people.selectors import (
    child_get_for_user,
    child_history,
    child_view,
    pupils_on_roll,
)

PUPILS_PER_PAGE = 50


@require_http_methods(["GET", "HEAD"])
def child_search_view(request):
    """The old "Children" search: one search now. Staff go to "Find a child", which takes the
    same one-box query; a school to its own pupils."""
    user = request.user
    policy.require_children_scope(user)
    target = "people:pupils" if policy.is_school_user(user) else "identify:search"
    query = request.GET.urlencode()
    return redirect(reverse(target) + (f"?{query}" if query else ""))


@require_http_methods(["GET", "HEAD"])
def pupils_view(request):
    user = request.user
    if not policy.is_school_user(user):
        raise PermissionDenied("This page is for schools")
    form = ChildSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    page = page_from(request.GET)
    rows, total = pupils_on_roll(user=user, query=query, page=page, per_page=PUPILS_PER_PAGE)
    return render(request, "people/pupils.html", {
        "form": form,
        "pupils": rows,
        "total": total,
        "query": query,
        "page": page,
        "pagination": pagination_params(params=request.GET, page=page, total=total, per_page=PUPILS_PER_PAGE),
    })


@require_http_methods(["GET", "HEAD"])
def child_detail_view(request, child_id: int):
    user = request.user
    # What this person may see of the child, already redacted: the API renders the same view.
    child = child_view(user=user, child_id=child_id)
    if not child.whole_record:
        # A school sees its own pupil's basic details and its own roll entries: nothing else.
        return render(request, "people/detail_school.html", {"child": child, "enrolments": child.enrolments})
    names = child.other_names or []
    return render(request, "people/detail.html", {
        "child": child,
        "flags": child.flags,
        "addresses": child.addresses,
        "withheld": child.restricted_withheld,
        "preferred_names": [n for n in names if n.kind == NameKind.PREFERRED],
        "former_names": [n for n in names if n.kind == NameKind.FORMER],
        "enrolments": child.enrolments,
        "cases": [],
        **child_page_context(user, child),  # the child's cases, from the cases app
        "can_edit": user.is_la_staff,
        "is_manager": policy.is_manager(user),
    })


@require_http_methods(["GET", "HEAD"])
def child_history_view(request, child_id: int):
    user = request.user
    child = child_get_for_user(user=user, child_id=child_id, require=policy.require_child_history_reader)
    return render(request, "people/history.html", {"child": child, "history": child_history(child=child)})


def _edit(request, child_id: int, *, form_class, template: str, perform, done: str, initial=None, extra=None):
    """Every edit of a child: show the form, run the service, or show why not (changing nothing)."""
    user = request.user
    child = child_get_for_user(user=user, child_id=child_id, require=policy.require_child_editor)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                perform(child, form.cleaned_data)
            except ValidationError as e:
                apply_service_errors(form, e)
            else:
                messages.success(request, done)
                return redirect("people:detail", child.pk)
    else:
        form = form_class(initial=initial(child) if initial else None)
    return render(request, template, {"child": child, "form": form, **(extra or {})})


@require_http_methods(["GET", "POST"])
def child_edit_view(request, child_id: int):
    def perform(child, data):
        services.child_update(actor=request.user, child=child, **data)

    return _edit(
        request, child_id, form_class=ChildDetailsForm, template="people/edit.html",
        perform=perform, done="Details saved",
        initial=lambda child: {name: getattr(child, name) for name in ChildDetailsForm.base_fields},
    )


def _adder(service, *, form_class, template: str, done: str):
    """A page that adds one thing to a child (a flag, an address, a contact, a name) through
    its service: the same shape for each, so made once."""

    @require_http_methods(["GET", "POST"])
    def view(request, child_id: int):
        return _edit(
            request, child_id, form_class=form_class, template=template, done=done,
            perform=lambda child, data: service(actor=request.user, child=child, **data),
        )

    return view


child_flag_add_view = _adder(
    services.child_flag_add, form_class=FlagForm, template="people/flag_add.html", done="Vulnerability added")
child_address_add_view = _adder(
    services.child_address_add, form_class=AddressForm, template="people/address_add.html", done="Address added")
child_contact_add_view = _adder(
    services.child_contact_add, form_class=ContactForm, template="people/contact_add.html", done="Contact added")
child_name_add_view = _adder(
    services.child_name_add, form_class=NameForm, template="people/name_add.html", done="Name added")
