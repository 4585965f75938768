"""The only doors to children. Each door is scoped to the user and records the visit."""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404

from cme.accounts import policy
from cme.accounts.models import Role
from cme.audit.models import Action
from cme.audit.services import audit_access_refused, audit_record
from cme.people.models import Address, CarerContact, Child, ChildName, VulnerabilityFlag
from cme.providers.models import Enrolment


def children_visible_to(user) -> QuerySet[Child]:
    """Children this user may see: LA staff their authority's; a school its current pupils."""
    if not user.is_authenticated or not user.organisation_id:
        return Child.objects.none()
    if user.is_la_staff:
        return Child.objects.filter(la_id=user.organisation_id)
    if user.has_role(Role.SCHOOL) and user.organisation.is_provider:
        on_roll = Enrolment.objects.filter(
            child=OuterRef("pk"), provider_id=user.organisation_id, leaving_date__isnull=True
        )
        return Child.objects.filter(Exists(on_roll))
    return Child.objects.none()


def latest_address(child: Child, *, refuges: bool = True) -> Address | None:
    """The child's latest address, for the system's own matching and returns (not a person's
    view: nothing to audit): the latest lived_from first, undated ones after, then the newest.
    Taken from the prefetched addresses when the caller fetched them (a run over many children
    asks once, not once a child). refuges=False leaves a refuge out (for what leaves the LA)."""
    cache = getattr(child, "_prefetched_objects_cache", {})
    if "addresses" in cache:
        return max((a for a in cache["addresses"] if refuges or not a.is_refuge), key=_address_order, default=None)
    addresses = child.addresses.all() if refuges else child.addresses.filter(is_refuge=False)
    return addresses.order_by(F("lived_from").desc(nulls_last=True), "-id").first()


def _address_order(address: Address) -> tuple:
    return (address.lived_from is not None, address.lived_from or date.min, address.pk)


def visible_flags(user, child: Child) -> tuple[list[VulnerabilityFlag], bool]:
    """The flags this user may see, and whether any were withheld (the policy decides)."""
    flags = list(child.flags.all())
    shown = [f for f in flags if policy.may_see_flag(user, restricted=f.is_restricted)]
    return shown, len(shown) != len(flags)


def visible_addresses(user, child: Child) -> tuple[list[Address], bool]:
    """The addresses this user may see (refuges only for roles allowed), and whether any were withheld."""
    addresses = list(child.addresses.all())
    shown = [a for a in addresses if policy.may_see_address(user, a)]
    return shown, len(shown) != len(addresses)


@dataclass(frozen=True)
class ChildView:
    """A child as one person may see it, already redacted by the policy: the child page and the
    API render this, so they cannot differ. A part that is not disclosed to this person is None
    (the school's view of a pupil: names, date of birth, sex, UPN and its own roll entries)."""

    pk: int
    la_id: int
    legal_forename: str
    legal_middle_names: str
    legal_surname: str
    full_name: str
    date_of_birth: date | None
    sex: str
    sex_label: str
    upn: str
    upn_is_temporary: bool
    uln: str | None
    former_upns: list[str] | None
    other_names: list[ChildName] | None
    addresses: list[Address] | None
    contacts: list[CarerContact] | None
    flags: list[VulnerabilityFlag] | None
    enrolments: list[Enrolment]
    # Restricted detail (flags, refuges) left out for this person's role.
    restricted_withheld: bool

    @property
    def id(self) -> int:
        return self.pk

    @property
    def whole_record(self) -> bool:
        return self.flags is not None

    def get_sex_display(self) -> str:
        return self.sex_label


def child_view_of(user, child: Child) -> ChildView:
    """What this person may see of a child already reached through a scoped door."""
    whole = policy.may_see_whole_child(user)
    flags, flags_withheld = visible_flags(user, child) if whole else (None, False)
    addresses, addresses_withheld = visible_addresses(user, child) if whole else (None, False)
    return ChildView(
        pk=child.pk,
        la_id=child.la_id,
        legal_forename=child.legal_forename,
        legal_middle_names=child.legal_middle_names,
        legal_surname=child.legal_surname,
        full_name=child.full_name,
        date_of_birth=child.date_of_birth,
        sex=child.sex,
        sex_label=child.get_sex_display(),
        upn=child.upn,
        upn_is_temporary=child.upn_is_temporary,
        uln=child.uln if whole else None,
        former_upns=[f.upn for f in child.former_upns.all()] if whole else None,
        other_names=list(child.other_names.all()) if whole else None,
        addresses=addresses,
        contacts=list(child.contacts.all()) if whole else None,
        flags=flags,
        enrolments=[e for e in child.enrolments.all() if policy.may_see_enrolment(user, e)],
        restricted_withheld=flags_withheld or addresses_withheld,
    )


def child_view(*, user, child_id: int) -> ChildView:
    """One child as this person may see it; 404 outside their scope; the visit is audited."""
    return child_view_of(user, child_get_for_user(user=user, child_id=child_id))


def child_get_for_user(*, user, child_id: int, require: Callable[[Any], None] | None = None) -> Child:
    """One child, with everything the child page shows; 404 outside the user's scope (a security
    event when the child is another's). require(user), when given, is the permission the page
    needs beyond scope: checked before the read is audited, so a refusal is not a view."""
    with transaction.atomic():
        child = (
            children_visible_to(user)
            .select_related("la")
            .prefetch_related(
                "other_names",
                "former_upns",
                "addresses",
                "contacts",
                "flags",
                Prefetch(
                    "enrolments",
                    queryset=Enrolment.objects.select_related("provider").order_by("-entry_date"),
                ),
            )
            .filter(pk=child_id)
            .first()
        )
        if child is not None:
            if require is not None:
                require(user)
            audit_record(
                actor=user,
                action=Action.VIEW,
                object_type="child",
                object_id=child.pk,
                child_id=child.pk,
                la_id=child.la_id,
                summary=f"Viewed child {child.full_name}",
            )
    if child is None:
        audit_access_refused(actor=user, object_type="child", object_id=child_id,
                             owner=Child.objects.filter(pk=child_id))
        raise Http404("No such child")
    return child


def pupils_on_roll(*, user, query: str = "", page: int = 1, per_page: int = 50):
    """A school's own current pupils, with their year group and entry date; audited.

    Returns (rows, total). Anyone but a school user gets none: staff use the children search.
    """
    if not (user.is_authenticated and user.has_role(Role.SCHOOL) and user.organisation.is_provider):
        return [], 0
    stay = Enrolment.objects.filter(
        child=OuterRef("pk"), provider_id=user.organisation_id, leaving_date__isnull=True
    ).order_by("-entry_date")
    qs = children_visible_to(user).annotate(
        year_group=Subquery(stay.values("year_group")[:1]),
        entry_date=Subquery(stay.values("entry_date")[:1]),
    )
    query = (query or "").strip()
    if query:
        from cme.people.search import filter_children

        qs = filter_children(qs, query)
    page = max(page, 1)
    with transaction.atomic():
        total = qs.count()
        rows = list(
            qs.order_by("legal_surname", "legal_forename", "id")[(page - 1) * per_page : page * per_page]
        )
        audit_record(
            actor=user,
            action=Action.SEARCH,
            object_type="child",
            la_id=user.la_id,
            summary="Listed the school’s pupils" + (f" matching “{query}”" if query else ""),
            detail={"query": query, "page": page, "ids": [c.pk for c in rows]},
            child_ids=[c.pk for c in rows],
        )
    return rows, total


def child_history(*, child: Child) -> list[dict]:
    """Field-level changes to a child's details, newest first, each with who made it.

    Reached only with a child already fetched through child_get_for_user (which audits the view).
    """
    records = list(
        child.history.select_related("history_user").order_by("history_date", "history_id")
    )
    items: list[dict] = []
    if records:
        first = records[0]
        items.append({"at": first.history_date, "by": first.history_user, "title": "Added to the register", "changes": []})
    for prev, rec in itertools.pairwise(records):
        delta = rec.diff_against(prev, excluded_fields=["updated_at", "la"])
        if not delta.changes:
            continue
        changes = []
        for c in delta.changes:
            field = Child._meta.get_field(c.field)
            changes.append({
                "name": str(field.verbose_name),
                "field": str(field.verbose_name)[:1].upper() + str(field.verbose_name)[1:],
                "old": _display(field, c.old),
                "new": _display(field, c.new),
            })
        items.append({
            "at": rec.history_date,
            "by": rec.history_user,
            "title": "Changed " + ", ".join(ch["name"] for ch in changes),
            "changes": changes,
        })
    items.reverse()
    return items


def _display(field, value):
    if value in (None, ""):
        return ""
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def children_page(*, user, query: str = "", page: int = 1, per_page: int = 25) -> tuple[list[Child], int]:
    """One page of children by name, UPN or date of birth within scope, with the total (for
    the API's paged search); the search is audited."""
    qs = children_visible_to(user)
    query = (query or "").strip()
    if query:
        from cme.people.search import filter_children

        qs = filter_children(qs, query)
    page = max(page, 1)
    with transaction.atomic():
        total = qs.count()
        found = list(
            qs.order_by("legal_surname", "legal_forename", "id")[(page - 1) * per_page : page * per_page]
        )
        audit_record(
            actor=user,
            action=Action.SEARCH,
            object_type="child",
            la_id=user.la_id,
            summary=f"Searched children for “{query}”"[:300],
            detail={"query": query, "page": page, "ids": [c.pk for c in found]},
            child_ids=[c.pk for c in found],
        )
    return found, total
