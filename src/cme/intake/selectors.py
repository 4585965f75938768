"""The only doors to referrals."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cme.audit.models import Action
from cme.audit.services import audit_access_refused, audit_record
from cme.intake.models import Referral, ReferralStatus


def referrals_visible_to(user) -> QuerySet[Referral]:
    """LA staff see their authority's referrals; anyone else only those their organisation made."""
    if not user.is_authenticated or not user.organisation_id:
        return Referral.objects.none()
    if user.is_la_staff:
        return Referral.objects.filter(la_id=user.organisation_id)
    return Referral.objects.filter(submitted_by_org_id=user.organisation_id)


def referral_get_for_user(*, user, reference: str, require: Callable[[Any], None] | None = None) -> Referral:
    """One referral; 404 outside the user's scope (a security event when it exists elsewhere).
    require(user), when given, is checked before the read is audited (see case_get_for_user)."""
    with transaction.atomic():
        referral = (
            referrals_visible_to(user)
            .select_related("case", "submitted_by_org", "triaged_by")
            .filter(reference=reference)
            .first()
        )
        if referral is not None:
            if require is not None:
                require(user)
            audit_record(
                actor=user,
                action=Action.VIEW,
                object_type="referral",
                object_id=referral.reference,
                child_id=referral.case.child_id if referral.case_id else None,
                la_id=referral.la_id,
                summary=f"Viewed referral {referral.reference}",
            )
    if referral is None:
        audit_access_refused(actor=user, object_type="referral", object_id=reference[:40],
                             owner=Referral.objects.filter(reference=reference))
        raise Http404("No such referral")
    return referral


# The waiting list's sorts: key -> order_by.
QUEUE_SORTS = {
    "received": ("received_at", "id"),
    "-received": ("-received_at", "-id"),
    "child": ("child_surname", "child_forename", "id"),
    "source": ("channel", "received_at", "id"),
    "age": ("-child_date_of_birth", "received_at", "id"),  # youngest first
    "-age": ("child_date_of_birth", "received_at", "id"),
}
# The child's age on the day, in bands an officer triages by: (label, youngest, oldest) in years.
AGE_BANDS = {
    "under_5": ("Under 5", 0, 4),
    "5_10": ("5 to 10 (primary)", 5, 10),
    "11_15": ("11 to 15 (secondary)", 11, 15),
    "16_over": ("16 or over", 16, 200),
    "unknown": ("Date of birth not known", None, None),
}
URGENCY = {
    "overdue": "Triage overdue",
    "due": "Triage due today",
    "not_due": "Not yet due",
}


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def referral_queue_page(*, user, filters: dict, sort: str, page: int, per_page: int,
                        triage_due_on=None, today: date | None = None) -> tuple[list[Referral], int]:
    """One page of the referrals waiting for triage, filtered (source, the child's age band,
    urgency by the triage clock) and sorted; with the number that match. Audited as a search.

    triage_due_on(received_day) -> due day (or None when the calendar cannot say) gives the
    urgency filter its meaning; without it urgency filters nothing."""
    today = today or timezone.localdate()
    qs = referrals_visible_to(user).filter(status=ReferralStatus.AWAITING_TRIAGE)
    if filters.get("source"):
        qs = qs.filter(channel__in=filters["source"])
    bands = [b for b in filters.get("age") or [] if b in AGE_BANDS]
    if bands:
        q = Q()
        for band in bands:
            _, youngest, oldest = AGE_BANDS[band]
            if youngest is None or oldest is None:
                q |= Q(child_date_of_birth__isnull=True)
            else:
                q |= Q(child_date_of_birth__lte=_years_before(today, youngest),
                       child_date_of_birth__gt=_years_before(today, oldest + 1))
        qs = qs.filter(q)
    urgency = [u for u in filters.get("urgency") or [] if u in URGENCY]
    if urgency and triage_due_on is not None:
        days = sorted({timezone.localdate(at) for at in qs.values_list("received_at", flat=True)})
        due = {d: triage_due_on(d) for d in days}
        wanted = [d for d in days if _urgency(due[d], today) in urgency]
        qs = qs.filter(received_at__date__in=wanted)
    total = qs.count()
    order = QUEUE_SORTS.get(sort, QUEUE_SORTS["received"])
    start = (page - 1) * per_page
    with transaction.atomic():
        items = list(qs.order_by(*order)[start:start + per_page])
        audit_record(
            actor=user,
            action=Action.SEARCH,
            object_type="referral",
            la_id=user.la_id,
            summary="Viewed the referral queue",
            detail={"ids": [r.reference for r in items], "page": page,
                    "filters": {k: v for k, v in filters.items() if v}},
        )
    return items, total


def _urgency(due: date | None, today: date) -> str:
    if due is None:
        return "not_due"
    return "overdue" if today > due else "due" if today == due else "not_due"


def referral_urgency(*, due: date | None, today: date) -> str:
    return _urgency(due, today)


def referral_queue(*, user, limit: int = 100) -> list[Referral]:
    """Referrals waiting for triage, oldest first: the officer's in-tray."""
    with transaction.atomic():
        items = list(
            referrals_visible_to(user)
            .filter(status=ReferralStatus.AWAITING_TRIAGE)
            .order_by("received_at", "id")[:limit]
        )
        audit_record(
            actor=user,
            action=Action.SEARCH,
            object_type="referral",
            la_id=user.la_id,
            summary="Viewed the referral queue",
            detail={"ids": [r.reference for r in items]},
        )
    return items


def referrals_made_by(*, user, limit: int = 100) -> list[Referral]:
    """A partner's own referrals, for the status page."""
    with transaction.atomic():
        items = list(
            referrals_visible_to(user).filter(submitted_by_org_id=user.organisation_id)
            .order_by("-received_at")[:limit]
        )
        audit_record(
            actor=user,
            action=Action.SEARCH,
            object_type="referral",
            summary="Viewed own referrals",
            detail={"ids": [r.reference for r in items]},
        )
    return items


def referrals_waiting_count(*, user) -> int:
    """How many referrals wait for triage (a number only: no record is read)."""
    return referrals_visible_to(user).filter(status=ReferralStatus.AWAITING_TRIAGE).count()


def referrals_recently_triaged(*, user, days: int = 30, limit: int = 100) -> list[Referral]:
    """Referrals triaged in the last `days` days, most recent first."""
    since = timezone.now() - timedelta(days=days)
    with transaction.atomic():
        items = list(
            referrals_visible_to(user)
            .exclude(status=ReferralStatus.AWAITING_TRIAGE)
            .filter(triaged_at__gte=since)
            .select_related("triaged_by", "case")
            .order_by("-triaged_at", "-id")[:limit]
        )
        audit_record(
            actor=user,
            action=Action.SEARCH,
            object_type="referral",
            la_id=user.la_id,
            summary="Viewed recently triaged referrals",
            detail={"ids": [r.reference for r in items]},
        )
    return items


def case_officers_for(user) -> list:
    """Active staff of the user's authority who work cases: the choices of responsible officer."""
    from cme.accounts.models import CASEWORK_ROLES, User

    if not user.is_authenticated or not user.is_la_staff:
        return []
    return list(
        User.objects.filter(
            organisation_id=user.organisation_id,
            is_active=True,
            role_grants__role__in=CASEWORK_ROLES,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def councils_taking_referrals() -> list:
    """The authorities a member of the public may send a referral to."""
    from cme.providers.models import Organisation, OrgKind

    return list(Organisation.objects.filter(kind=OrgKind.LA).order_by("name"))


def council_contact_for_referral(*, reference: str):
    """The council a referral went to, for its CME contact on the confirmation page. Only the
    council's public contact details are read (the page's signed link proves the reference is
    the sender's own); nothing of the referral is shown, so nothing is audited."""
    from cme.providers.models import Organisation

    la_id = Referral.objects.filter(reference=reference).values_list("la_id", flat=True).first()
    if la_id is None:
        return None
    return Organisation.objects.only("name", "contact_name", "contact_email", "contact_phone").get(pk=la_id)
