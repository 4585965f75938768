"""Business actions on the register: opening a case, moving its stage, assigning it, and
notes. Each is keyword-only, in a transaction, and audited."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from cme.accounts import policy
from cme.accounts.models import User
from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.cases.register import stages
from cme.cases.register.models import (
    OPEN_STAGES,
    STAGE_ORDER,
    Case,
    CaseNote,
    Category,
    Reason,
    Stage,
    StageChange,
)
from cme.cases.register.selectors import case_records_loaded, relations_present
from cme.cases.register.signals import case_opened
from cme.core.services import sequence_next
from cme.core.validation import check_not_future
from cme.people.models import Child


def audit_case(actor, case: Case, action: str, summary: str, detail: dict | None = None):
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


def check_officer(officer: User | None, la_id: int) -> None:
    if officer is None:
        return
    if officer.organisation_id != la_id or not policy.may_work_cases(officer) or not officer.is_active:
        raise ValidationError(
            {"responsible_officer": "Choose an officer of this authority who works cases"}
        )


def check_choice(value: str, choices, field: str, label: str) -> None:
    if value not in choices.values:
        raise ValidationError({field: f"Choose {label}"})


def check_open(case: Case, field: str = "case") -> None:
    if case.stage == Stage.CLOSED:
        raise ValidationError({field: f"Case {case.reference} is closed: reopen it first"})


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
    check_choice(category, Category, "category", "whether the child is missing or at risk")
    check_choice(reason, Reason, "reason", "a reason")
    check_officer(responsible_officer, child.la_id)
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
    audit_case(actor, case, Action.CREATE, f"Opened case {case.reference} for {child.full_name}")
    # Escalation (a missing child known to social care) sits above the register: it listens.
    case_opened.send(sender=Case, actor=actor, case=case)
    return case_log_if_complete(actor=actor, case=case, on=referred_on)


def case_stage_facts(case: Case) -> dict:
    """What the stage rules need to know about a case (stages.py): what the child's record
    lacks and which evidence each step has. Reads the rooms above through the case's own
    relations (locations, needs assessments), which are the cases app's models."""
    child = case.child
    missing = []
    if not (child.legal_forename or "").strip() or not (child.legal_surname or "").strip():
        missing.append("full name")
    if child.date_of_birth is None:
        missing.append("date of birth")
    has_address, on_roll = relations_present(Child, child.pk, {
        "addresses": "", "enrolments": f"{connection.ops.quote_name('leaving_date')} IS NULL"})
    if not has_address:
        missing.append("address (current or last known)")
    loaded = case_records_loaded(case)  # the case page's fetch, when it made one
    if loaded is not None:
        assessed = any(a.assessed_on is not None and a.state in ("not_needed", "approved")
                       for a in loaded["needs_assessments"])
    else:
        assessed = case.needs_assessments.filter(
            assessed_on__isnull=False, state__in=("not_needed", "approved")
        ).exists()
    return {
        "record_missing": missing,
        # An at-risk child on a roll is where the roll says; a missing child needs a record.
        "whereabouts": bool(case.whereabouts) or (case.category == Category.AT_RISK and on_roll),
        "assessment": assessed,
        "provider": case.provision_provider_id is not None,
        "start_date": case.provision_starts_on is not None,
    }


@transaction.atomic
def case_stage_advance(
    *, actor: User, case: Case, to_stage: str, note: str = "", on: date | None = None,
    override_reason: str = "",
) -> Case:
    """Move a case to another stage. Refuses impossible moves and moves whose evidence is missing
    (stages.refusal), unless a manager overrides with a reason, which is recorded and audited."""
    case = Case.objects.select_for_update().select_related("child").get(pk=case.pk)
    facts = case_stage_facts(case)
    if problem := stages.move_problem(case.stage, to_stage):
        raise ValidationError({"to_stage": problem})
    override_reason = (override_reason or "").strip()
    overridden: list[str] = []
    if problem := stages.refusal(case.stage, to_stage, facts):
        if to_stage in stages.SERVICE_ONLY and not stages.entry_problems(to_stage, facts):
            pass  # the service logging a complete record (case_log_if_complete)
        elif override_reason and policy.is_manager(actor):
            overridden = stages.entry_problems(to_stage, facts) or [problem]
        elif override_reason:
            raise ValidationError({"override_reason": "Only a manager can move a case past a missing step"})
        else:
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
    if overridden:
        note = f"Manager’s override ({override_reason}). Missing: {'; '.join(overridden)}." + (
            f" {note}" if note else "")
    StageChange.objects.create(
        case=case, from_stage=from_stage, to_stage=to_stage, changed_by=actor, note=note
    )
    detail: dict = {"from": from_stage, "to": to_stage}
    if overridden:
        detail.update(override_reason=override_reason, missing=overridden)
    audit_case(
        actor,
        case,
        Action.CHANGE,
        f"Moved case {case.reference} from {Stage(from_stage).label.lower()} to {Stage(to_stage).label.lower()}"
        + (" (manager’s override)" if overridden else ""),
        detail,
    )
    return case


@transaction.atomic
def case_log_if_complete(*, actor: User, case: Case, on: date | None = None) -> Case:
    """Log the case once the child's record is complete: the guide's step "log on the database"
    is done by the service, when the record has what it needs, never by a click."""
    case = Case.objects.select_for_update().select_related("child").get(pk=case.pk)
    if case.stage != Stage.IDENTIFIED or stages.record_problem(case_stage_facts(case)):
        return case
    on = max(on or timezone.localdate(), case.referred_on)
    return case_stage_advance(actor=actor, case=case, to_stage=Stage.LOGGED, on=on,
                              note="The child's record is complete")


def advance_to(*, actor: User, case: Case, stage: str, on: date, note: str = "") -> Case:
    """Move a case forward to `stage` when it has not reached it yet (never back), as the
    result of recording the step's evidence. Passes "logged" by when the record is complete."""
    case = case_log_if_complete(actor=actor, case=case, on=on)  # the caller's copy may be stale
    if STAGE_ORDER.index(case.stage) < STAGE_ORDER.index(stage):
        on = max(on, case.referred_on)
        return case_stage_advance(actor=actor, case=case, to_stage=stage, note=note, on=on)
    return case


@transaction.atomic
def case_assign(*, actor: User, case: Case, officer: User | None) -> Case:
    check_officer(officer, case.la_id)
    # Fresh and locked: saving a stale copy would undo a stage move made since it was read.
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.responsible_officer_id == (officer.pk if officer else None):
        return case
    case.responsible_officer = officer
    case._history_user = actor
    case.save()
    audit_case(
        actor, case, Action.CHANGE,
        f"Assigned case {case.reference} to {officer or 'nobody'}",
    )
    return case


@transaction.atomic
def case_note_add(*, actor: User, case: Case, text: str) -> CaseNote:
    if not text.strip():
        raise ValidationError({"text": "Enter the note"})
    note = CaseNote.objects.create(case=case, author=actor, text=text.strip())
    audit_case(actor, case, Action.CHANGE, f"Added a note to case {case.reference}")
    return note
