"""The only doors to cases, and the register's own reads (the list, a case, its history)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Case as CaseExpr
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404

from cme.accounts import policy
from cme.accounts.models import CASEWORK_ROLES, User
from cme.audit.models import Action
from cme.audit.services import audit_access_refused, audit_record
from cme.cases.register.models import OPEN_STAGES, STAGE_ORDER, Case, Stage
from cme.cases.register.stages import STAGE_DATE_FIELD
from cme.people.models import RESTRICTED_FLAGS, Child, VulnerabilityFlag
from cme.providers.models import PROVIDER_KINDS, Enrolment, Organisation


def cases_visible_to(user) -> QuerySet[Case]:
    """Cases are seen by the authority's own staff only."""
    if not user.is_authenticated or not user.is_la_staff:
        return Case.objects.none()
    return Case.objects.filter(la_id=user.organisation_id)


@dataclass(frozen=True)
class CaseFilters:
    stage: str = ""
    category: str = ""
    flag: str = ""
    officer: int | None = None
    school: int | None = None
    referred_from: date | None = None
    referred_to: date | None = None
    query: str = ""
    open_only: bool = False
    # A clock key, or "any": cases with that clock overdue. Applied by the work queues, which
    # own the clocks (cases.queues.selectors.case_list_with_clocks); ignored here.
    overdue: str = ""

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items() if v}


def _filtered(user, f: CaseFilters) -> QuerySet[Case]:
    qs = cases_visible_to(user)
    if f.stage:
        qs = qs.filter(stage=f.stage)
    elif f.open_only:
        qs = qs.filter(stage__in=OPEN_STAGES)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.flag and policy.may_see_flag(user, restricted=f.flag in RESTRICTED_FLAGS):
        qs = qs.filter(
            Exists(VulnerabilityFlag.objects.filter(
                child=OuterRef("child_id"), flag=f.flag, ended_on__isnull=True
            ))
        )
    if f.officer:
        qs = qs.filter(responsible_officer_id=f.officer)
    if f.school:
        qs = qs.filter(
            Q(last_known_provider_id=f.school)
            | Exists(Enrolment.objects.filter(child=OuterRef("child_id"), provider_id=f.school))
        )
    if f.referred_from:
        qs = qs.filter(referred_on__gte=f.referred_from)
    if f.referred_to:
        qs = qs.filter(referred_on__lte=f.referred_to)
    if f.query:
        q = f.query.strip()
        if q.upper().startswith("C") and "-" in q:
            qs = qs.filter(reference__iexact=q)
        else:
            from cme.people.search import filter_children

            qs = filter_children(qs, q, prefix="child__")
    return qs


_STAGE_RANK = CaseExpr(
    *[When(stage=s, then=Value(n)) for n, s in enumerate(STAGE_ORDER)],
    output_field=IntegerField(),
)


# The orders the case list offers: column key -> ORDER BY (ascending). "-key" reverses it.
CASE_SORTS = {
    "reference": ("reference",),
    "child": ("child__legal_surname", "child__legal_forename", "id"),
    "dob": ("child__date_of_birth", "id"),
    "category": ("category", "id"),
    "stage": (_STAGE_RANK, "id"),
    "officer": ("responsible_officer__last_name", "responsible_officer__first_name", "id"),
    "referred": ("referred_on", "id"),
}


DEFAULT_CASE_SORT = "-referred"


def case_ordering(sort: str) -> list:
    """ORDER BY for one of the list's sorts ("-key" descending); the referral date otherwise."""
    return _ordering(sort)


def _ordering(sort: str) -> list:
    key = sort.removeprefix("-")
    columns = CASE_SORTS.get(key) or CASE_SORTS["referred"]
    descending = sort.startswith("-") if key in CASE_SORTS else True
    out = []
    for col in columns:
        expr = col if not isinstance(col, str) else None
        if expr is not None:
            out.append(expr.desc() if descending else expr.asc())
        else:
            out.append(f"-{col}" if descending else col)
    return out


def case_list(
    *, user, filters: CaseFilters, page: int = 1, per_page: int = 25, sort: str = DEFAULT_CASE_SORT
):
    """One page of cases (newest referral first unless asked otherwise), with the total.

    A fixed number of queries whatever the size of the register: one count, one page of rows
    joined to the child and the officer, and the audit event naming the children listed.
    """
    qs = _filtered(user, filters)
    page = max(page, 1)
    with transaction.atomic():
        total = qs.count()
        rows = list(
            qs.select_related("child", "responsible_officer")
            .order_by(*_ordering(sort))[(page - 1) * per_page : page * per_page]
        )
        _audit_list(user, filters, page, rows)
    return rows, total


def _audit_list(user, filters: CaseFilters, page: int, rows: list[Case]) -> None:
    """The case list's audit event: the filters, the page and the children listed."""
    audit_record(
        actor=user,
        action=Action.SEARCH,
        object_type="case",
        la_id=user.la_id,
        summary="Searched the case list",
        detail={"filters": filters.as_dict(), "page": page, "ids": [c.pk for c in rows]},
        child_ids=[c.child_id for c in rows],
    )


def cases_filtered(*, user, filters: CaseFilters) -> QuerySet[Case]:
    """The user's cases that pass the list's filters (not audited: the caller lists a page of
    them through case_rows_of, which is)."""
    return _filtered(user, filters)


def case_rows_of(*, user, ids: list[int], filters: CaseFilters, page: int) -> list[Case]:
    """The case list's rows for these ids, in this order, within the user's scope; audited as
    the list's search is."""
    with transaction.atomic():
        found = {c.pk: c for c in cases_visible_to(user).filter(pk__in=ids)
                 .select_related("child", "responsible_officer")}
        rows = [found[i] for i in ids if i in found]
        _audit_list(user, filters, page, rows)
    return rows


def case_officers(*, user) -> list[User]:
    """The authority's staff who may be named responsible officer (for filters and assigning)."""
    if not user.is_authenticated or not user.is_la_staff:
        return []
    return list(
        User.objects.filter(
            organisation_id=user.la_id,
            is_active=True,
            role_grants__role__in=CASEWORK_ROLES,
        )
        .distinct()
        .order_by("last_name", "first_name", "id")
    )


def case_providers(*, user) -> list[Organisation]:
    """Schools and other providers in the user's authority, for the case list's school filter."""
    if not user.is_authenticated or not user.is_la_staff:
        return []
    return list(
        Organisation.objects.filter(la_id=user.la_id, kind__in=PROVIDER_KINDS)
        .only("id", "name")
        .order_by("name", "id")
    )


def cases_for_child(*, user, child: Child) -> list[Case]:
    """A child's cases, newest first, for the child page (whose view is audited already)."""
    return list(
        cases_visible_to(user)
        .filter(child_id=child.pk)
        .select_related("responsible_officer")
        .order_by("-referred_on", "-id")
    )


def case_get_for_user(*, user, case_id: int, require: Callable[[Any], None] | None = None) -> Case:
    """One case; 404 outside the user's scope (a security event when it exists elsewhere).

    require(user), when given, is the permission the page or API call needs beyond scope (work
    cases, be a manager): it is checked before the read is audited, so a refused request is
    not recorded as a view."""
    with transaction.atomic():
        case = (
            cases_visible_to(user)
            .select_related("child", "responsible_officer", "last_known_provider", "provision_provider", "la")
            .filter(pk=case_id)
            .first()
        )
        if case is not None:
            if require is not None:
                require(user)
            audit_record(
                actor=user,
                action=Action.VIEW,
                object_type="case",
                object_id=case.pk,
                child_id=case.child_id,
                la_id=case.la_id,
                summary=f"Viewed case {case.reference}",
            )
    if case is None:
        audit_access_refused(actor=user, object_type="case", object_id=case_id,
                             owner=Case.objects.filter(pk=case_id))
        raise Http404("No such case")
    return case


def stage_counts(*, user) -> dict[str, int]:
    rows = cases_visible_to(user).values("stage").annotate(n=Count("id"))
    counts = {s: 0 for s in Stage.values}
    counts.update({r["stage"]: r["n"] for r in rows})
    return counts


def my_open_cases(*, user, limit: int = 20) -> list[Case]:
    with transaction.atomic():
        rows = list(
            cases_visible_to(user)
            .filter(responsible_officer=user, stage__in=OPEN_STAGES)
            .select_related("child")
            .order_by("referred_on", "id")[:limit]
        )
        if rows:
            audit_record(
                actor=user,
                action=Action.SEARCH,
                object_type="case",
                la_id=user.la_id,
                summary="Viewed own open cases",
                detail={"ids": [c.pk for c in rows]},
            )
    return rows


def register_timeline_items(*, case: Case) -> list[dict]:
    """The register's entries of a case's timeline: stage moves, notes, field changes, and the
    referrals that fed it (the case page adds the other rooms' entries and sorts them)."""
    items: list[dict] = []
    for change in case_records(case, "stage_changes", lambda: case.stage_changes.select_related("changed_by")):
        items.append({
            "at": change.changed_at,
            "kind": "stage",
            "title": f"Moved to {Stage(change.to_stage).label.lower()}"
            if change.from_stage else f"Opened at {Stage(change.to_stage).label.lower()}",
            "by": change.changed_by,
            "text": change.note,
        })
    for note in case_records(case, "notes", lambda: case.notes.select_related("author")):
        items.append({"at": note.created_at, "kind": "note", "title": "Note", "by": note.author, "text": note.text})
    for referral in case_records(case, "referrals", case.referrals.all):
        items.append({
            "at": referral.received_at,
            "kind": "referral",
            "title": f"Referral {referral.reference} received ({referral.get_channel_display().lower()})",
            "by": None,
            "text": referral.concerns,
            "reference": referral.reference,
        })
    items.extend(_field_changes(case))
    return items


def _display(field, value):
    """A value as a person reads it: a choice's label, a date, or the raw value."""
    if value in (None, ""):
        return ""
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def _field_changes(case: Case) -> list[dict]:
    """Field-level before and after from the case's history, with people and places by name.

    One query for the history, and at most one per kind of record named, whatever its length.
    """
    history = list(case.history.select_related("history_user").order_by("history_date", "history_id"))
    items: list[dict] = []
    wanted: dict[type, set] = {}
    for prev, rec in itertools.pairwise(history):
        # A stage move sets its key date and a closure its outcome; the stage entry on the
        # timeline already says so, so those fields are not repeated as a field change.
        excluded = ["updated_at", "stage", "whereabouts"]  # locating has its own entries
        if rec.stage != prev.stage:
            excluded += [*STAGE_DATE_FIELD.values(), "closed_on", "outcome", "outcome_detail"]
        delta = rec.diff_against(prev, excluded_fields=excluded)
        if not delta.changes:
            continue
        changes = []
        for c in delta.changes:
            field = Case._meta.get_field(c.field)
            # People and places are shown by name; other links (the child, the LA) never change.
            related = field.related_model if field.related_model in (User, Organisation) else None
            if related is not None:
                wanted.setdefault(related, set()).update(v for v in (c.old, c.new) if v)
            changes.append({
                "name": str(field.verbose_name),
                "field": str(field.verbose_name)[:1].upper() + str(field.verbose_name)[1:],
                "old": _display(field, c.old),
                "new": _display(field, c.new),
                "model": related,
            })
        items.append({
            "at": rec.history_date,
            "kind": "change",
            "title": "Changed " + ", ".join(ch["name"] for ch in changes),
            "by": rec.history_user,
            "text": "",
            "changes": changes,
        })
    names = {model: model.objects.in_bulk(ids) for model, ids in wanted.items()}
    for item in items:
        for ch in item["changes"]:
            model = ch.pop("model")
            if model is not None:
                for side in ("old", "new"):
                    if ch[side] != "":
                        found = names[model].get(ch[side])
                        ch[side] = str(found) if found is not None else f"{model._meta.verbose_name} {ch[side]}"
    return items


# The people each kind of record names, fetched for the whole page in one query rather than
# joined into every record query (the joins cost more to build than to run).
_PEOPLE = {
    "enquiries": ("officer", "recorded_by"),
    "locations": ("recorded_by",),
    "other_la_referrals": ("sent_by",),
    "needs_assessments": ("assessed_by", "decided_by"),
    "closure_requests": ("requested_by", "decided_by"),
    "joint_evidence": ("produced_by",),
    "escalations": ("raised_by",),
    "stage_changes": ("changed_by",),
    "notes": ("author",),
}


def _kinds_present(case_id: int, kinds: list[str]) -> tuple[bool, ...]:
    """For each reverse relation of Case named in `kinds`, whether the case has any such record."""
    return relations_present(Case, case_id, dict.fromkeys(kinds, ""))


def relations_present(model, pk: int, relations: dict[str, str]) -> tuple[bool, ...]:
    """For each reverse relation of `model` named in `relations` (name -> extra SQL condition on
    its rows, or ""), whether the record `pk` has any such row: one query for them all. Written
    as SQL because building it through the ORM cost more than running it."""
    quote = connection.ops.quote_name
    tests = []
    for name, where in relations.items():
        rel = model._meta.get_field(name)
        table, column = rel.related_model._meta.db_table, rel.field.column
        # Table, column names and conditions come from the code, never from input; the id is a parameter.
        tests.append(f"EXISTS (SELECT 1 FROM {quote(table)} WHERE {quote(column)} = %s"  # noqa: S608
                     + (f" AND {where})" if where else ")"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(tests), [pk] * len(tests))
        return tuple(bool(v) for v in cursor.fetchone())


def case_records_load(case: Case) -> None:
    """Fetch a case's case-work records once for a page that shows them in several places (the
    sections, the timeline and the clocks of the case page): each selector below then reads them
    from the case instead of asking the database again. Only the case page calls this, on a case
    fetched for that one request, so nothing read here can go stale."""
    queries = {
        "enquiries": lambda: case.enquiries.select_related("joint_with").order_by("made_on", "id"),
        "locations": lambda: case.locations.select_related("address", "other_la"),
        "other_la_referrals": lambda: case.other_la_referrals.select_related("other_la", "email"),
        "needs_assessments": case.needs_assessments.all,
        "closure_requests": case.closure_requests.all,
        "joint_evidence": lambda: case.joint_evidence.select_related("school"),
        "escalations": lambda: case.escalations.select_related("email").order_by("-raised_at", "-id"),
        "stage_changes": case.stage_changes.all,
        "notes": case.notes.all,
        "referrals": case.referrals.all,
        "tasks": lambda: case.tasks.select_related("assigned_to").order_by("done_at", "-urgent", "due_on", "id"),
    }
    # Most cases have only some kinds of record: one query says which, and only those are read.
    # Written as SQL because building it through the ORM cost more than running it.
    present = dict(zip(queries, _kinds_present(case.pk, list(queries)), strict=True))
    records = {kind: list(query()) if present[kind] else [] for kind, query in queries.items()}
    ids = {
        getattr(record, f"{field}_id")
        for kind, fields in _PEOPLE.items()
        for record in records[kind]
        for field in fields
    } - {None}
    people = User.objects.in_bulk(ids) if ids else {}
    for kind, fields in _PEOPLE.items():
        for record in records[kind]:
            for field in fields:
                setattr(record, field, people.get(getattr(record, f"{field}_id")))
    case._records = records


def case_records_loaded(case: Case) -> dict[str, list[Any]] | None:
    """case_records_load's fetch of this case, or None when the page made none."""
    return getattr(case, "_records", None)


def case_records(case: Case, name: str, query):
    """The case's `name` records: from case_records_load's fetch when the page made one."""
    loaded = case_records_loaded(case)
    return loaded[name] if loaded is not None else list(query())
