"""The only doors to cases."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.cases.models import OPEN_STAGES, Case, Stage
from cme.people.models import RESTRICTED_FLAGS, VulnerabilityFlag
from cme.providers.models import Enrolment


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
    if f.flag and (user.can_see_restricted or f.flag not in RESTRICTED_FLAGS):
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


def case_list(*, user, filters: CaseFilters, page: int = 1, per_page: int = 25):
    """One page of cases, newest referral first, with the total; the search is audited."""
    qs = _filtered(user, filters)
    page = max(page, 1)
    with transaction.atomic():
        total = qs.count()
        rows = list(
            qs.select_related("child", "responsible_officer")
            .order_by("-referred_on", "-id")[(page - 1) * per_page : page * per_page]
        )
        audit_record(
            actor=user,
            action=Action.SEARCH,
            object_type="case",
            la_id=user.la_id,
            summary="Searched the case list",
            detail={"filters": filters.as_dict(), "page": page, "ids": [c.pk for c in rows]},
        )
    return rows, total


def case_get_for_user(*, user, case_id: int) -> Case:
    with transaction.atomic():
        case = (
            cases_visible_to(user)
            .select_related("child", "responsible_officer", "last_known_provider", "la")
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            raise Http404("No such case")
        audit_record(
            actor=user,
            action=Action.VIEW,
            object_type="case",
            object_id=case.pk,
            child_id=case.child_id,
            la_id=case.la_id,
            summary=f"Viewed case {case.reference}",
        )
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


def case_timeline(*, case: Case) -> list[dict]:
    """Everything that happened on a case, newest first: stage moves, notes, field changes,
    and the referrals that fed it."""
    items: list[dict] = []
    for change in case.stage_changes.select_related("changed_by"):
        items.append({
            "at": change.changed_at,
            "kind": "stage",
            "title": f"Moved to {Stage(change.to_stage).label.lower()}"
            if change.from_stage else f"Opened at {Stage(change.to_stage).label.lower()}",
            "by": change.changed_by,
            "text": change.note,
        })
    for note in case.notes.select_related("author"):
        items.append({"at": note.created_at, "kind": "note", "title": "Note", "by": note.author, "text": note.text})
    for referral in case.referrals.all():
        items.append({
            "at": referral.received_at,
            "kind": "referral",
            "title": f"Referral {referral.reference} received ({referral.get_channel_display().lower()})",
            "by": None,
            "text": referral.concerns,
            "reference": referral.reference,
        })
    history = list(case.history.select_related("history_user").order_by("history_date"))
    for prev, rec in zip(history, history[1:], strict=False):
        delta = rec.diff_against(prev, excluded_fields=["updated_at", "stage"])
        if delta.changes:
            items.append({
                "at": rec.history_date,
                "kind": "change",
                "title": "Changed " + ", ".join(
                    Case._meta.get_field(c.field).verbose_name for c in delta.changes
                ),
                "by": rec.history_user,
                "text": "",
                "changes": [
                    {"field": Case._meta.get_field(c.field).verbose_name, "old": c.old, "new": c.new}
                    for c in delta.changes
                ],
            })
    items.sort(key=lambda i: i["at"], reverse=True)
    return items
