"""Business actions on cases: opening from a referral, moving stage, assigning, closing."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.cases import stages
from cme.cases.models import (
    OPEN_STAGES,
    Case,
    CaseNote,
    Category,
    Outcome,
    Reason,
    Stage,
    StageChange,
)
from cme.core.services import sequence_next
from cme.core.validation import check_not_future
from cme.intake.models import Referral, ReferralStatus
from cme.people.models import Child
from cme.people.services import child_create


def _audit_case(actor, case: Case, action: str, summary: str, detail: dict | None = None):
    audit_record(
        actor=actor,
        action=action,
        object_type="case",
        object_id=case.pk,
        child_id=case.child_id,
        la_id=case.la_id,
        summary=summary,
        detail=detail,
    )


def _check_officer(officer: User | None, la_id: int) -> None:
    if officer is None:
        return
    if officer.organisation_id != la_id or not officer.can_work_cases or not officer.is_active:
        raise ValidationError(
            {"responsible_officer": "Choose an officer of this authority who works cases"}
        )


def _check_choice(value: str, choices, field: str, label: str) -> None:
    if value not in choices.values:
        raise ValidationError({field: f"Choose {label}"})


@transaction.atomic
def case_open(
    *,
    actor: User,
    child: Child,
    category: str,
    reason: str,
    referred_on: date,
    responsible_officer: User | None = None,
    reason_detail: str = "",
    stage: str = Stage.IDENTIFIED,
    last_known_placement: str = "",
    last_known_placement_on: date | None = None,
) -> Case:
    _check_choice(category, Category, "category", "whether the child is missing or at risk")
    _check_choice(reason, Reason, "reason", "a reason")
    _check_officer(responsible_officer, child.la_id)
    check_not_future(referred_on, field="referred_on", label="The referral date")
    check_not_future(last_known_placement_on, field="last_known_placement_on", label="The date of the last placement")
    if stage not in OPEN_STAGES:
        raise ValidationError({"stage": "A case opens at an open stage"})
    if Case.objects.filter(child=child, stage__in=OPEN_STAGES).exists():
        raise ValidationError({"child": "This child already has an open case"})
    la = child.la
    case = Case(
        la=la,
        reference=f"C{la.la_code or la.pk}-{sequence_next(name=f'case-{la.pk}'):06d}",
        child=child,
        category=category,
        reason=reason,
        reason_detail=reason_detail,
        stage=stage,
        responsible_officer=responsible_officer,
        referred_on=referred_on,
        last_known_placement=last_known_placement,
        last_known_placement_on=last_known_placement_on,
    )
    case._history_user = actor
    case.save()
    StageChange.objects.create(case=case, from_stage="", to_stage=stage, changed_by=actor)
    _audit_case(actor, case, Action.CREATE, f"Opened case {case.reference} for {child.full_name}")
    return case


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
        _audit_case(actor, case, Action.CHANGE, f"Added referral {referral.reference} to case {case.reference}")
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
    return case


@transaction.atomic
def case_stage_advance(
    *, actor: User, case: Case, to_stage: str, note: str = "", on: date | None = None
) -> Case:
    """Move a case to another stage; refuses impossible moves and records who and when."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if problem := stages.move_problem(case.stage, to_stage):
        raise ValidationError({"to_stage": problem})
    on = on or timezone.localdate()
    check_not_future(on, field="on", label="The date")
    if on < case.referred_on:
        raise ValidationError({"on": "The date cannot be before the case was referred"})
    from_stage = case.stage
    case.stage = to_stage
    date_field = stages.STAGE_DATE_FIELD.get(to_stage)
    if date_field and getattr(case, date_field) is None:
        setattr(case, date_field, on)
    case._history_user = actor
    case.save()
    StageChange.objects.create(
        case=case, from_stage=from_stage, to_stage=to_stage, changed_by=actor, note=note
    )
    _audit_case(
        actor,
        case,
        Action.CHANGE,
        f"Moved case {case.reference} from {Stage(from_stage).label.lower()} to {Stage(to_stage).label.lower()}",
        {"from": from_stage, "to": to_stage},
    )
    return case


@transaction.atomic
def case_assign(*, actor: User, case: Case, officer: User | None) -> Case:
    _check_officer(officer, case.la_id)
    # Fresh and locked: saving a stale copy would undo a stage move made since it was read.
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.responsible_officer_id == (officer.pk if officer else None):
        return case
    case.responsible_officer = officer
    case._history_user = actor
    case.save()
    _audit_case(
        actor, case, Action.CHANGE,
        f"Assigned case {case.reference} to {officer or 'nobody'}",
    )
    return case


@transaction.atomic
def case_close(
    *, actor: User, case: Case, outcome: str, detail: str = "", on: date | None = None
) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.stage == Stage.CLOSED:
        raise ValidationError({"outcome": "The case is already closed"})
    if not outcome:
        raise ValidationError({"outcome": "Choose the outcome before closing the case"})
    _check_choice(outcome, Outcome, "outcome", "an outcome")
    on = on or timezone.localdate()
    check_not_future(on, field="on", label="The closing date")
    from_stage = case.stage
    case.stage, case.outcome, case.outcome_detail, case.closed_on = Stage.CLOSED, outcome, detail, on
    case._history_user = actor
    case.save()
    StageChange.objects.create(
        case=case, from_stage=from_stage, to_stage=Stage.CLOSED, changed_by=actor,
        note=f"Outcome: {Outcome(outcome).label}. {detail}".strip(),
    )
    _audit_case(actor, case, Action.CHANGE, f"Closed case {case.reference}: {Outcome(outcome).label}")
    return case


@transaction.atomic
def case_reopen(*, actor: User, case: Case, reason: str) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.stage != Stage.CLOSED:
        raise ValidationError({"reason": "Only a closed case can be reopened"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the case is being reopened"})
    if Case.objects.filter(child_id=case.child_id, stage__in=OPEN_STAGES).exists():
        raise ValidationError({"reason": "This child already has another open case"})
    case.stage, case.outcome, case.outcome_detail, case.closed_on = Stage.LOGGED, "", "", None
    case._history_user = actor
    case.save()
    StageChange.objects.create(
        case=case, from_stage=Stage.CLOSED, to_stage=Stage.LOGGED, changed_by=actor, note=reason
    )
    _audit_case(actor, case, Action.CHANGE, f"Reopened case {case.reference}")
    return case


@transaction.atomic
def case_note_add(*, actor: User, case: Case, text: str) -> CaseNote:
    if not text.strip():
        raise ValidationError({"text": "Enter the note"})
    note = CaseNote.objects.create(case=case, author=actor, text=text.strip())
    _audit_case(actor, case, Action.CHANGE, f"Added a note to case {case.reference}")
    return note
