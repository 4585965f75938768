"""The only doors to referrals."""

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.intake.models import Referral, ReferralStatus


def referrals_visible_to(user) -> QuerySet[Referral]:
    """LA staff see their authority's referrals; anyone else only those their organisation made."""
    if not user.is_authenticated or not user.organisation_id:
        return Referral.objects.none()
    if user.is_la_staff:
        return Referral.objects.filter(la_id=user.organisation_id)
    return Referral.objects.filter(submitted_by_org_id=user.organisation_id)


def referral_get_for_user(*, user, reference: str) -> Referral:
    with transaction.atomic():
        referral = (
            referrals_visible_to(user)
            .select_related("case", "submitted_by_org", "triaged_by")
            .filter(reference=reference)
            .first()
        )
        if referral is None:
            raise Http404("No such referral")
        audit_record(
            actor=user,
            action=Action.VIEW,
            object_type="referral",
            object_id=referral.reference,
            child_id=referral.case.child_id if referral.case_id else None,
            la_id=referral.la_id,
            summary=f"Viewed referral {referral.reference}",
        )
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
