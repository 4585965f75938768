"""The only doors to referrals."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
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
