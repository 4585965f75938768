"""Receiving referrals and triaging them: into a case (for a new child or one on the register),
into a case already open, or closed as not missing education."""

from datetime import date, datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from cme.accounts import policy
from cme.accounts.models import User
from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.cases.escalation.services import escalation_check
from cme.cases.register.models import OPEN_STAGES, Case, Category
from cme.cases.register.services import audit_case, case_open
from cme.core.inputs import text_problem
from cme.core.services import sequence_next
from cme.core.validation import check_date_of_birth
from cme.intake.models import CONCERNS_MAX_LENGTH, Channel, Referral, ReferralStatus
from cme.people.identifiers import normalise_upn, upn_problem
from cme.people.models import Child
from cme.people.services import child_create
from cme.providers.models import Organisation, OrgKind

# The working-copy fields a referral carries, and their types in as_received.
REFERRAL_CHILD_FIELDS = (
    "child_forename",
    "child_surname",
    "child_date_of_birth",
    "child_sex",
    "child_upn",
    "child_address",
    "child_postcode",
    "last_known_school",
    "concerns",
)
REFERRER_FIELDS = ("referrer_name", "referrer_organisation", "referrer_email", "referrer_phone")


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


# Labels for the text rules' messages, as the forms name the fields.
_TEXT_LABELS = {
    "child_forename": "First name", "child_surname": "Last name", "child_upn": "UPN",
    "child_address": "Address", "child_postcode": "Postcode",
    "last_known_school": "Last known school", "concerns": "Concerns",
    "referrer_name": "Referrer’s name", "referrer_organisation": "Referrer’s organisation",
    "referrer_email": "Referrer’s email address", "referrer_phone": "Referrer’s phone number",
}


def _check_text(fields: dict) -> dict[str, str]:
    """Every way in meets the same text rules (cme.core.inputs): no more than the column holds,
    and no control characters or direction overrides; only the concerns may run over lines."""
    errors = {}
    for name, label in _TEXT_LABELS.items():
        value = fields.get(name)
        if not isinstance(value, str) or not value:
            continue
        column = cast(models.CharField, Referral._meta.get_field(name))
        limit = CONCERNS_MAX_LENGTH if name == "concerns" else column.max_length
        problem = text_problem(value, max_length=limit, multiline=name == "concerns")
        if problem:
            errors[name] = f"{label} {problem}"
    return errors


def _check_referral(fields: dict) -> dict:
    errors: dict[str, str] = _check_text(fields)
    clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    if not (clean.get("child_forename") or clean.get("child_surname")):
        errors["child_surname"] = "Enter the child’s first name or last name"
    if clean.get("child_upn") and "child_upn" not in errors:
        clean["child_upn"] = normalise_upn(clean["child_upn"])
        if problem := upn_problem(clean["child_upn"]):
            errors["child_upn"] = problem
    if clean.get("child_sex") not in (None, "", "F", "M"):
        errors["child_sex"] = "Sex must be F, M or left blank"
    try:
        check_date_of_birth(clean.get("child_date_of_birth"), field="child_date_of_birth")
    except ValidationError as e:
        errors.update({k: v[0] for k, v in e.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if clean.get("child_postcode"):
        clean["child_postcode"] = clean["child_postcode"].upper()
    return clean


def la_for_referrals(la_id: int | None = None) -> Organisation:
    """The authority a public referral goes to: the one named, or the only one configured."""
    qs = Organisation.objects.filter(kind=OrgKind.LA)
    if la_id is not None:
        qs = qs.filter(pk=la_id)
    la = qs.order_by("pk").first()
    if la is None:
        raise ValidationError({"la": "Choose the council to send the referral to"})
    return la


@transaction.atomic
def referral_create(
    *,
    la: Organisation,
    channel: str,
    submitted_by=None,
    received_at: datetime | None = None,
    **fields: Any,
) -> Referral:
    """Record a contact about a child, keeping exactly what was given in `as_received`."""
    if channel not in Channel.values:
        raise ValidationError({"channel": "Choose how the contact was received"})
    if received_at is not None and received_at > timezone.now():
        raise ValidationError({"received_at": "The date and time received must be in the past"})
    allowed = set(REFERRAL_CHILD_FIELDS) | set(REFERRER_FIELDS)
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: "Unknown field" for name in sorted(unknown)})
    as_received = {k: _jsonable(v) for k, v in fields.items() if v not in (None, "")}
    clean = _check_referral(fields)
    org = getattr(submitted_by, "organisation", None) if submitted_by else None
    if org is not None:
        clean.setdefault("referrer_organisation", org.name)
        if submitted_by and not clean.get("referrer_name"):
            clean["referrer_name"] = submitted_by.get_full_name()
    received = received_at or timezone.now()
    reference = f"R{la.la_code or la.pk}-{sequence_next(name=f'referral-{la.pk}'):06d}"
    referral = Referral(
        la=la,
        reference=reference,
        channel=channel,
        received_at=received,
        as_received={
            "channel": channel,
            "received_at": received.isoformat(),
            "fields": as_received,
        },
        submitted_by=submitted_by if getattr(submitted_by, "pk", None) else None,
        submitted_by_org=org,
        **{k: v for k, v in clean.items() if v is not None},
    )
    referral._history_user = submitted_by if getattr(submitted_by, "pk", None) else None
    referral.save()
    audit_record(
        actor=submitted_by if getattr(submitted_by, "pk", None) else None,
        action=Action.CREATE,
        object_type="referral",
        object_id=referral.reference,
        la_id=la.pk,
        summary=f"Referral {referral.reference} received by {referral.get_channel_display().lower()}",
    )
    return referral


def _check_awaiting_triage(referral: Referral) -> None:
    if referral.status != ReferralStatus.AWAITING_TRIAGE:
        raise ValidationError(
            {"referral": f"Referral {referral.reference} has already been triaged"}
        )


@transaction.atomic
def referral_update(*, actor, referral: Referral, **changes: Any) -> Referral:
    """Correct the working copy during triage; the original stays in as_received."""
    _check_awaiting_triage(referral)
    unknown = set(changes) - set(REFERRAL_CHILD_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be changed" for name in sorted(unknown)})
    clean = _check_referral({**{f: getattr(referral, f) for f in REFERRAL_CHILD_FIELDS}, **changes})
    changed = [k for k in changes if getattr(referral, k) != clean[k]]
    for name in changed:
        setattr(referral, name, clean[name])
    if changed:
        referral._history_user = actor
        referral.save()
        audit_record(
            actor=actor,
            action=Action.CHANGE,
            object_type="referral",
            object_id=referral.reference,
            la_id=referral.la_id,
            summary=f"Corrected {', '.join(changed)} on {referral.reference}",
            detail={"fields": changed},
        )
    return referral


@transaction.atomic
def referral_close_not_cme(*, actor, referral: Referral, reason: str) -> Referral:
    _check_awaiting_triage(referral)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why this child is not missing education"})
    referral.status = ReferralStatus.NOT_CME
    referral.closed_reason = reason.strip()
    referral.triaged_by = actor
    referral.triaged_at = timezone.now()
    referral._history_user = actor
    referral.save()
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        object_type="referral",
        object_id=referral.reference,
        la_id=referral.la_id,
        summary=f"Closed referral {referral.reference} as not CME",
    )
    return referral


@transaction.atomic
def referral_triage(
    *,
    actor: User,
    referral: Referral,
    category: str,
    reason: str,
    child: Child | None = None,
    responsible_officer: User | None = None,
    reason_detail: str = "",
) -> Case:
    """Turn a referral into a case: for a new child, or for one already on the register.

    If that child already has an open case the referral joins it instead of opening another.
    """
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.AWAITING_TRIAGE:
        raise ValidationError({"referral": f"Referral {referral.reference} has already been triaged"})
    if child is not None and child.la_id != referral.la_id:
        raise ValidationError({"child": "That child is not on this authority’s register"})
    if child is None:
        child = child_create(
            actor=actor,
            la_id=referral.la_id,
            legal_forename=referral.child_forename or "Unknown",
            legal_surname=referral.child_surname or "Unknown",
            date_of_birth=referral.child_date_of_birth,
            sex=referral.child_sex,
            upn=referral.child_upn,
            address={"line1": referral.child_address, "postcode": referral.child_postcode}
            if referral.child_address
            else None,
        )
    existing = Case.objects.filter(child=child, stage__in=OPEN_STAGES).first()
    if existing is not None:
        case, referral.status = existing, ReferralStatus.ADDED_TO_CASE
        audit_case(actor, case, Action.CHANGE, f"Added referral {referral.reference} to case {case.reference}")
    else:
        case = case_open(
            actor=actor,
            child=child,
            category=category,
            reason=reason,
            reason_detail=reason_detail,
            referred_on=timezone.localdate(referral.received_at),
            responsible_officer=responsible_officer,
            last_known_placement=referral.last_known_school,
        )
        referral.status = ReferralStatus.CASE_OPENED
    referral.case = case
    referral.triaged_by = actor
    referral.triaged_at = timezone.now()
    referral._history_user = actor
    referral.save()
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        object_type="referral",
        object_id=referral.reference,
        child_id=child.pk,
        la_id=referral.la_id,
        summary=f"Triaged referral {referral.reference} into case {case.reference}",
    )
    # A missing child known to social care is escalated, once per episode of the case.
    escalation_check(actor=actor, case=case, trigger="triage", missing=category == Category.MISSING)
    return case


@transaction.atomic
def referral_decide(
    *,
    actor: User,
    referral: Referral,
    corrections: dict[str, Any] | None = None,
    not_cme_reason: str | None = None,
    child: Child | None = None,
    category: str = "",
    reason: str = "",
    reason_detail: str = "",
    responsible_officer: User | None = None,
) -> Case | None:
    """Triage as one decision, for the triage page and the API alike: the officer's corrections
    to the working copy and the decision land together or not at all. With `not_cme_reason` the
    referral closes as not missing education (None is returned); otherwise it goes to a case for
    `child` (a child on the register) or for a new child, and that case is returned."""
    if not policy.may_work_cases(actor):
        raise PermissionDenied("Only officers who work cases can triage referrals")
    if corrections:
        referral_update(actor=actor, referral=referral, **corrections)
    if not_cme_reason is not None:
        referral_close_not_cme(actor=actor, referral=referral, reason=not_cme_reason)
        return None
    return referral_triage(
        actor=actor,
        referral=referral,
        child=child,
        category=category,
        reason=reason,
        reason_detail=reason_detail.strip(),
        responsible_officer=responsible_officer,
    )
