"""Business actions of case work: enquiries, locating, the other authority's hand-off, the key
worker, the needs assessment, closing (with a manager's approval where the LA asks for it),
reopening, and the evidence of joint reasonable enquiries."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cme.accounts import policy
from cme.accounts.models import User
from cme.attendance import calendar as cal
from cme.attendance.selectors import NoCalendar, provider_calendar
from cme.audit.models import Action
from cme.cases.casework.models import (
    ApprovalState,
    ClosureRequest,
    ClosureState,
    DeletionGround,
    Enquiry,
    EnquiryKind,
    JointEnquiryEvidence,
    LocationRecord,
    NeedsAssessment,
    OtherLaReferral,
    ProvisionKind,
    SenStatus,
)
from cme.cases.register import stages
from cme.cases.register.models import (
    OPEN_STAGES,
    STAGE_ORDER,
    Case,
    KeyWorkerRole,
    Outcome,
    Stage,
    StageChange,
    Whereabouts,
)
from cme.cases.register.services import (
    advance_to,
    audit_case,
    case_stage_advance,
    case_stage_facts,
    check_choice,
    check_officer,
    check_open,
)
from cme.core.lawful import lawful_basis
from cme.core.mail import email_queue
from cme.core.validation import check_not_future
from cme.people.services import child_address_add
from cme.providers.models import Organisation, OrgKind


def _required_text(value: str, field: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError({field: message})
    return value.strip()


def _required_date(value: date | None, *, field: str, label: str) -> date:
    if value is None:
        raise ValidationError({field: f"Enter {label[:1].lower() + label[1:]}"})
    check_not_future(value, field=field, label=label)
    return value


def _set_whereabouts(actor: User, case: Case, whereabouts: str) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    case.whereabouts = whereabouts
    case._history_user = actor
    case.save(update_fields=["whereabouts", "updated_at"])
    return case


@transaction.atomic
def enquiry_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    made_on: date | None,
    officer: User | None,
    outcome: str,
    next_step: str = "",
    joint_with: Organisation | None = None,
) -> Enquiry:
    """Record one enquiry made to find a child. The first one moves the case to locating."""
    check_open(case, "kind")
    check_choice(kind, EnquiryKind, "kind", "the kind of enquiry")
    made_on = _required_date(made_on, field="made_on", label="The date of the enquiry")
    if officer is None:
        raise ValidationError({"officer": "Choose the officer who made the enquiry"})
    if officer.organisation_id != case.la_id or not officer.is_active:
        raise ValidationError({"officer": "Choose an officer of this authority"})
    outcome = _required_text(outcome, "outcome", "Enter what the enquiry found")
    if joint_with is not None and (joint_with.la_id != case.la_id or not joint_with.is_provider):
        raise ValidationError({"joint_with": "Choose a school of this authority"})
    enquiry = Enquiry.objects.create(
        case=case,
        kind=kind,
        made_on=made_on,
        officer=officer,
        outcome=outcome,
        next_step=(next_step or "").strip(),
        joint_with=joint_with,
        recorded_by=actor,
    )
    audit_case(
        actor, case, Action.CHANGE,
        f"Recorded an enquiry ({EnquiryKind(kind).label.lower()}) on case {case.reference}",
        {"enquiry": enquiry.pk, "kind": kind},
    )
    advance_to(actor=actor, case=case, stage=Stage.LOCATING, on=made_on)
    return enquiry


@transaction.atomic
def case_child_found(
    *,
    actor: User,
    case: Case,
    on: date | None,
    line1: str,
    line2: str = "",
    town: str = "",
    postcode: str = "",
    parental_responsibility: str,
    is_refuge: bool = False,
    detail: str = "",
) -> LocationRecord:
    """The child is found at an address: the address joins the child's history, the case is located."""
    check_open(case, "on")
    on = _required_date(on, field="on", label="The date the child was found")
    line1 = _required_text(line1, "line1", "Enter the first line of the address where the child was found")
    pr = _required_text(
        parental_responsibility, "parental_responsibility", "Enter who has parental responsibility"
    )
    address = child_address_add(
        actor=actor, child=case.child, line1=line1, line2=line2, town=town, postcode=postcode,
        lived_from=on, is_refuge=is_refuge,
    )
    record = LocationRecord.objects.create(
        case=case, whereabouts=Whereabouts.FOUND, on=on, address=address,
        parental_responsibility=pr, detail=(detail or "").strip(), recorded_by=actor,
    )
    case = _set_whereabouts(actor, case, Whereabouts.FOUND)
    audit_case(actor, case, Action.CHANGE, f"Recorded that the child of case {case.reference} was found")
    advance_to(actor=actor, case=case, stage=Stage.LOCATED, on=on, note="Child found")
    return record


def other_la_message(*, case: Case, sender: User, detail: str = "") -> tuple[str, str]:
    """The subject and body sent to another LA's named CME contact. Like the escalation e-mail it
    carries no personal data (e-mail is not a safe place for it): no name, date of birth, UPN,
    school or address, and not what the officer recorded of the move (`detail` stays on the
    case). It says who to contact and where to sign in; the child's details are shared by phone
    or secure exchange once the contact has confirmed who they are."""
    contact = sender.get_full_name() or sender.username
    lines = [
        f"{case.la.name}'s children missing education team believes a child it is working with has",
        "moved to your area, and asks you to take on the child's education. Please tell us whether",
        "you accept the referral.",
        "",
        f"Our case reference: {case.reference}",
        f"Sign in to see the referral: {settings.CME_BASE_URL}/",
        f"Contact: {contact}, {case.la.name}",
    ]
    if sender.email:
        lines.append(f"E-mail: {sender.email}")
    if case.la.contact_phone:
        lines.append(f"Telephone: {case.la.contact_phone}")
    lines += [
        "",
        "For the child's safety this message holds no personal details: sign in, or telephone the",
        "contact above quoting the reference, for the child's details and what we know of the move.",
    ]
    subject = f"Child missing education moving to your area: {case.reference}"
    return subject, "\n".join(lines).rstrip() + "\n"


@transaction.atomic
def case_moved_to_other_la(
    *, actor: User, case: Case, on: date | None, other_la: Organisation | None, detail: str = ""
) -> OtherLaReferral:
    """The family moved to another LA: the case is referred to that LA's named CME contact by
    e-mail, and what was sent, to whom and when is kept."""
    check_open(case, "other_la")
    on = _required_date(on, field="on", label="The date the family moved")
    if other_la is None or other_la.kind != OrgKind.OTHER_LA or other_la.la_id != case.la_id:
        raise ValidationError({"other_la": "Choose the authority the family moved to from the LA contacts"})
    if not other_la.contact_email:
        raise ValidationError({
            "other_la": f"{other_la.name} has no named CME contact e-mail: add it in the LA contacts directory first"
        })
    detail = (detail or "").strip()
    record = LocationRecord.objects.create(
        case=case, whereabouts=Whereabouts.MOVED_LA, on=on, other_la=other_la,
        detail=detail, recorded_by=actor,
    )
    subject, body = other_la_message(case=case, sender=actor, detail=detail)
    # Sent by the task queue once this transaction commits (never inside the request), tried
    # again if the mail server fails; its delivery state is kept with it.
    attachment = _other_la_attachment(case=case, other_la=other_la)
    if attachment is not None:
        body += f"\nThe child's Common Transfer File is attached ({attachment[0]}).\n"
    email = email_queue(to=[other_la.contact_email], subject=subject, body=body, purpose="other_la_referral",
                        attachment=attachment)
    referral = OtherLaReferral.objects.create(
        case=case, location=record, other_la=other_la, sent_to_name=other_la.contact_name,
        lawful_basis=lawful_basis("other_la"),
        sent_to_email=other_la.contact_email, subject=subject, body=body, sent_at=timezone.now(),
        sent_by=actor, email=email,
    )
    case = _set_whereabouts(actor, case, Whereabouts.MOVED_LA)
    audit_case(
        actor, case, Action.CHANGE,
        f"Referred case {case.reference} to {other_la.name} ({other_la.contact_email})",
        {"other_la": other_la.pk, "referral": referral.pk, "lawful_basis": referral.lawful_basis},
    )
    advance_to(actor=actor, case=case, stage=Stage.LOCATED, on=on, note=f"Moved to {other_la.name}")
    return referral


@transaction.atomic
def other_la_referral_accept(*, actor: User, referral: OtherLaReferral, on: date | None) -> OtherLaReferral:
    """The other LA has accepted the child: the case may now close as moved and accepted."""
    on = _required_date(on, field="accepted_on", label="The date the other authority accepted")
    referral = OtherLaReferral.objects.select_for_update().select_related("case").get(pk=referral.pk)
    if referral.accepted_on is not None:
        raise ValidationError({"accepted_on": "That referral has already been accepted"})
    if on < timezone.localtime(referral.sent_at).date():
        raise ValidationError({"accepted_on": "The date accepted cannot be before the referral was sent"})
    referral.accepted_on = on
    referral.save(update_fields=["accepted_on"])
    audit_case(
        actor, referral.case, Action.CHANGE,
        f"Recorded that {referral.other_la} accepted case {referral.case.reference}",
    )
    return referral


@transaction.atomic
def case_left_country(
    *, actor: User, case: Case, on: date | None, country: str = "", detail: str = ""
) -> LocationRecord:
    check_open(case, "on")
    on = _required_date(on, field="on", label="The date the family left")
    record = LocationRecord.objects.create(
        case=case, whereabouts=Whereabouts.LEFT_COUNTRY, on=on, country=(country or "").strip(),
        detail=(detail or "").strip(), recorded_by=actor,
    )
    case = _set_whereabouts(actor, case, Whereabouts.LEFT_COUNTRY)
    audit_case(actor, case, Action.CHANGE, f"Recorded that the child of case {case.reference} left the country")
    advance_to(actor=actor, case=case, stage=Stage.LOCATED, on=on, note="Left the country")
    return record


@transaction.atomic
def case_child_not_found(*, actor: User, case: Case, on: date | None, detail: str) -> LocationRecord:
    """Enquiries have not found the child: the case stays open at locating and the child stays on
    the register ("until a child is located the LA should maintain a record of their details")."""
    check_open(case, "on")
    on = _required_date(on, field="on", label="The date")
    detail = _required_text(detail, "detail", "Enter what has been tried so far")
    record = LocationRecord.objects.create(
        case=case, whereabouts=Whereabouts.NOT_FOUND, on=on, detail=detail, recorded_by=actor,
    )
    case = _set_whereabouts(actor, case, Whereabouts.NOT_FOUND)
    audit_case(actor, case, Action.CHANGE, f"Recorded that the child of case {case.reference} cannot be found")
    if case.stage != Stage.LOCATING:
        case_stage_advance(actor=actor, case=case, to_stage=Stage.LOCATING, on=max(on, case.referred_on),
                           note="Child cannot be found")
    return record


@transaction.atomic
def case_key_worker_allocate(
    *, actor: User, case: Case, officer: User | None, role: str, since: date | None = None
) -> Case:
    """Allocate the key worker or lead professional: an officer of this LA who works cases."""
    check_open(case, "officer")
    check_choice(role, KeyWorkerRole, "role", "key worker or lead professional")
    if officer is None:
        raise ValidationError({"officer": "Choose the key worker or lead professional"})
    try:
        check_officer(officer, case.la_id)
    except ValidationError:
        raise ValidationError({"officer": "Choose an officer of this authority who works cases"}) from None
    since = since or timezone.localdate()
    check_not_future(since, field="since", label="The date allocated")
    case = Case.objects.select_for_update().get(pk=case.pk)
    case.key_worker, case.key_worker_role, case.key_worker_since = officer, role, since
    case._history_user = actor
    case.save()
    audit_case(
        actor, case, Action.CHANGE,
        f"Allocated {officer} as {KeyWorkerRole(role).label.lower()} on case {case.reference}",
    )
    return case


NEEDS_TEXT_FIELDS = (
    "education_history", "sen_detail", "health", "family_circumstances", "disengagement_reasons",
    "parent_preferences", "child_preferences", "provision_detail",
)


# What a needs assessment must say before it is complete: (field, message).
NEEDS_REQUIRED = (
    ("education_history", "Enter the child’s education history and gaps"),
    ("sen_status", "Choose whether the child has special educational needs or an EHCP"),
    ("health", "Enter the child’s health needs, or that there are none known"),
    ("family_circumstances", "Enter the family’s circumstances"),
    ("disengagement_reasons", "Enter the reasons the child disengaged from education"),
    ("parent_preferences", "Enter the parents’ preferences"),
    ("child_preferences", "Enter the child’s preferences"),
    ("recommended_provision", "Choose the recommended form of provision"),
)


def needs_approval_required() -> bool:
    return bool(getattr(settings, "CME_NEEDS_APPROVAL", False))


@transaction.atomic
def needs_assessment_save(
    *,
    actor: User,
    case: Case,
    education_history: str = "",
    sen_status: str = "",
    sen_detail: str = "",
    health: str = "",
    family_circumstances: str = "",
    disengagement_reasons: str = "",
    parent_preferences: str = "",
    child_preferences: str = "",
    recommended_provision: str = "",
    provision_detail: str = "",
    complete: bool = False,
    assessed_on: date | None = None,
) -> NeedsAssessment:
    """Save the case's needs assessment (a draft, or complete). Completing it determines needs:
    at once, or when a manager approves if the LA's settings ask for approval."""
    check_open(case, "education_history")
    if STAGE_ORDER.index(case.stage) < STAGE_ORDER.index(Stage.LOCATED):
        raise ValidationError({"education_history": "Record where the child was found before assessing needs"})
    if sen_status:
        check_choice(sen_status, SenStatus, "sen_status", "a special educational needs status")
    if recommended_provision:
        check_choice(recommended_provision, ProvisionKind, "recommended_provision", "a form of provision")
    values = {
        "education_history": education_history, "sen_status": sen_status, "sen_detail": sen_detail,
        "health": health, "family_circumstances": family_circumstances,
        "disengagement_reasons": disengagement_reasons, "parent_preferences": parent_preferences,
        "child_preferences": child_preferences, "recommended_provision": recommended_provision,
        "provision_detail": provision_detail,
    }
    values = {k: (v or "").strip() for k, v in values.items()}
    if complete:
        problems = {field: message for field, message in NEEDS_REQUIRED if not values[field]}
        if case.key_worker_id is None:
            problems.setdefault("complete", "Allocate a key worker or lead professional before completing the assessment")
        assessed_on = assessed_on or timezone.localdate()
        if assessed_on > timezone.localdate():
            problems["assessed_on"] = "The date assessed must be today or in the past"
        elif assessed_on < case.referred_on:
            problems["assessed_on"] = "The date assessed cannot be before the case was referred"
        if problems:
            raise ValidationError(problems)
    current = (
        NeedsAssessment.objects.select_for_update()
        .filter(case=case, state__in=[ApprovalState.DRAFT, ApprovalState.RETURNED])
        .first()
    )
    if current is None:
        if case.needs_assessments.filter(state=ApprovalState.AWAITING).exists():
            raise ValidationError({"education_history": "The assessment is waiting for a manager’s approval"})
        current = NeedsAssessment(case=case, assessed_by=actor)
    for k, v in values.items():
        setattr(current, k, v)
    current.assessed_by = actor
    if complete:
        current.assessed_on = assessed_on
        current.state = ApprovalState.AWAITING if needs_approval_required() else ApprovalState.NOT_NEEDED
    current._history_user = actor
    current.save()
    if not complete:
        summary = f"Saved a draft needs assessment on case {case.reference}"
    elif current.state == ApprovalState.AWAITING:
        summary = f"Completed the needs assessment on case {case.reference}; awaiting a manager’s approval"
    else:
        summary = f"Completed the needs assessment on case {case.reference}"
    audit_case(actor, case, Action.CHANGE, summary, {"assessment": current.pk, "state": current.state})
    if complete and current.state == ApprovalState.NOT_NEEDED:
        _needs_determined(actor, case, current)
    return current


def _needs_determined(actor: User, case: Case, assessment: NeedsAssessment) -> None:
    note = f"Recommended provision: {ProvisionKind(assessment.recommended_provision).label}"
    case = Case.objects.get(pk=case.pk)
    if STAGE_ORDER.index(case.stage) < STAGE_ORDER.index(Stage.NEEDS_DETERMINED):
        if stages.entry_problems(Stage.NEEDS_DETERMINED, case_stage_facts(case)):
            return  # kept; the case moves once the child is located (the task list says so)
        case_stage_advance(
            actor=actor, case=case, to_stage=Stage.NEEDS_DETERMINED, note=note,
            on=max(assessment.assessed_on, case.referred_on),
        )
    else:
        # Needs were determined before (a second assessment): the date follows the new one.
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.assessed_on = assessment.assessed_on
        case._history_user = actor
        case.save()


@transaction.atomic
def needs_assessment_decide(
    *, actor: User, assessment: NeedsAssessment, approve: bool, note: str = ""
) -> NeedsAssessment:
    """A manager approves a completed assessment (needs are then determined) or returns it."""
    if not policy.is_manager(actor):
        raise ValidationError({"decision": "Only a manager can approve a needs assessment"})
    assessment = NeedsAssessment.objects.select_for_update().select_related("case").get(pk=assessment.pk)
    if assessment.state != ApprovalState.AWAITING:
        raise ValidationError({"decision": "This assessment is not waiting for approval"})
    if assessment.case.la_id != actor.organisation_id:
        raise ValidationError({"decision": "This assessment is not of your authority"})
    if not approve and not (note or "").strip():
        raise ValidationError({"note": "Enter what needs to change"})
    assessment.state = ApprovalState.APPROVED if approve else ApprovalState.RETURNED
    assessment.decided_by, assessment.decided_at = actor, timezone.now()
    assessment.decision_note = (note or "").strip()
    assessment._history_user = actor
    assessment.save()
    case = assessment.case
    audit_case(
        actor, case, Action.CHANGE,
        f"{'Approved' if approve else 'Returned'} the needs assessment on case {case.reference}",
        {"assessment": assessment.pk},
    )
    if approve:
        _needs_determined(actor, case, assessment)
    return assessment


@transaction.atomic
def case_provision_identify(
    *, actor: User, case: Case, provider: Organisation, on: date | None, detail: str = ""
) -> Case:
    """The provision found for the child (step 7): a school, PRU or alternative provider with a
    place. The case moves to "provision identified" when its earlier steps are done."""
    check_open(case, "provider")
    on = _required_date(on, field="on", label="The date the provision was identified")
    if not provider.is_provider or not provider.is_open:
        raise ValidationError({"provider": "Choose an open school or other provider"})
    case = Case.objects.select_for_update().get(pk=case.pk)
    changed = case.provision_provider_id != provider.pk
    case.provision_provider = provider
    if changed:
        case.provision_starts_on = None  # a start date belonged to the provider it was agreed with
    case._history_user = actor
    case.save()
    audit_case(actor, case, Action.CHANGE,
               f"Recorded {provider.name} as the provision for case {case.reference}",
               {"provider": provider.pk, "detail": (detail or "").strip()})
    if not stages.entry_problems(Stage.PROVISION_IDENTIFIED, case_stage_facts(case)):
        case = advance_to(actor=actor, case=case, stage=Stage.PROVISION_IDENTIFIED, on=on,
                          note=f"Provision: {provider.name}" + (f". {detail.strip()}" if detail.strip() else ""))
    return case


@transaction.atomic
def case_provision_start(*, actor: User, case: Case, starts_on: date | None) -> Case:
    """The date the child starts at the provision found (step 8). A start still to come puts the
    case at "accessing provision"; a start that has come, "in provision" from that day, which
    stops the provision clocks."""
    check_open(case, "starts_on")
    if starts_on is None:
        raise ValidationError({"starts_on": "Enter the date the child starts"})
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.provision_provider_id is None:
        raise ValidationError({"starts_on": "Record the provider of the provision found first"})
    if starts_on < case.referred_on:
        raise ValidationError({"starts_on": "The start date cannot be before the case was referred"})
    case.provision_starts_on = starts_on
    case._history_user = actor
    case.save()
    audit_case(actor, case, Action.CHANGE,
               f"Recorded the start date at the provision for case {case.reference}",
               {"starts_on": starts_on.isoformat()})
    today = timezone.localdate()
    provider_name = case.provision_provider.name if case.provision_provider else ""
    target = Stage.IN_PROVISION if starts_on <= today else Stage.ACCESSING_PROVISION
    if not stages.entry_problems(target, case_stage_facts(case)):
        on = min(starts_on, today) if target == Stage.IN_PROVISION else today
        case = advance_to(actor=actor, case=case, stage=target, on=on,
                          note=f"Starts at {provider_name}")
        if target == Stage.IN_PROVISION and case.moved_into_provision_on != starts_on:
            case.moved_into_provision_on = starts_on
            case._history_user = actor
            case.save()
    return case


def closure_approval_required(actor: User) -> bool:
    """Whether closing needs a manager's approval for this person (managers approve their own)."""
    return bool(getattr(settings, "CME_CLOSURE_APPROVAL", False)) and not policy.is_manager(actor)


# Checks the rooms above add before a case may close (places: a new start still being watched).
# Each takes (case, outcome) and returns why the case may not close yet, or "".
_closure_checks: list = []
# What goes with the e-mail to another authority: the hand-offs room gives the CTF (a room above
# this one, so it offers it here rather than being called): (case, other_la) -> (name, bytes, type).
_other_la_attachments: list = []
# Other ways an authority can have accepted the child besides an answered e-mail referral (a
# signed hand-off between two CME Trackers, cme.handoffs): each takes the case, says True or False.
_moved_la_acceptances: list = []


def add_closure_check(check) -> None:
    if check not in _closure_checks:
        _closure_checks.append(check)


def add_other_la_attachment(make) -> None:
    if make not in _other_la_attachments:
        _other_la_attachments.append(make)


def _other_la_attachment(*, case: Case, other_la: Organisation) -> tuple[str, bytes, str] | None:
    for make in _other_la_attachments:
        if (made := make(case, other_la)) is not None:
            return made
    return None


def add_moved_la_acceptance(accepted) -> None:
    if accepted not in _moved_la_acceptances:
        _moved_la_acceptances.append(accepted)


def _accepted_by_other_la(case: Case) -> bool:
    return (case.other_la_referrals.filter(accepted_on__isnull=False).exists()
            or any(accepted(case) for accepted in _moved_la_acceptances))


def _check_outcome(case: Case, outcome: str, on: date) -> None:
    if not outcome:
        raise ValidationError({"outcome": "Choose the outcome before closing the case"})
    check_choice(outcome, Outcome, "outcome", "an outcome")
    check_not_future(on, field="on", label="The closing date")
    if on < case.referred_on:
        raise ValidationError({"on": "The closing date cannot be before the case was referred"})
    if outcome == Outcome.MOVED_LA and not _accepted_by_other_la(case):
        raise ValidationError({
            "outcome": "Record that the other authority accepted the child before closing as moved to another LA"
        })
    for check in _closure_checks:
        if problem := check(case, outcome):
            raise ValidationError({"outcome": problem})


@transaction.atomic
def case_close(
    *, actor: User, case: Case, outcome: str, detail: str = "", on: date | None = None
) -> Case:
    """Close a case with its outcome. Where the LA asks for approval (CME_CLOSURE_APPROVAL), only a
    manager closes directly; others ask with case_closure_request."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.stage == Stage.CLOSED:
        raise ValidationError({"outcome": "The case is already closed"})
    if closure_approval_required(actor):
        raise ValidationError({"outcome": "A manager must approve closing this case: ask for approval"})
    on = on or timezone.localdate()
    _check_outcome(case, outcome, on)
    # A manager closing directly settles any closure still waiting for approval.
    for waiting in case.closure_requests.select_for_update().filter(state=ClosureState.AWAITING):
        waiting.state, waiting.decided_by, waiting.decided_at = ClosureState.APPROVED, actor, timezone.now()
        waiting.decision_note = "Closed directly by a manager"
        waiting.save()
    return _close(actor=actor, case=case, outcome=outcome, detail=detail, on=on)


def _close(*, actor: User, case: Case, outcome: str, detail: str, on: date, approved_by: User | None = None) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    from_stage = case.stage
    case.stage, case.outcome, case.outcome_detail, case.closed_on = Stage.CLOSED, outcome, detail, on
    case._history_user = actor
    case.save()
    note = f"Outcome: {Outcome(outcome).label}. {detail}".strip()
    if approved_by is not None:
        note += f"\nApproved by {approved_by}"
    StageChange.objects.create(
        case=case, from_stage=from_stage, to_stage=Stage.CLOSED, changed_by=actor, note=note,
    )
    audit_case(actor, case, Action.CHANGE, f"Closed case {case.reference}: {Outcome(outcome).label}")
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
    audit_case(actor, case, Action.CHANGE, f"Reopened case {case.reference}")
    return case


@transaction.atomic
def case_close_or_request(
    *, actor: User, case: Case, outcome: str, detail: str = "", on: date | None = None
) -> ClosureRequest | None:
    """Close the case, or, where the LA asks a manager to approve closures and the actor is not a
    manager, ask for that approval. The one action behind the page's and the API's "close":
    returns the closure request left waiting, or None when the case closed."""
    if closure_approval_required(actor):
        return case_closure_request(actor=actor, case=case, outcome=outcome, detail=detail, on=on)
    case_close(actor=actor, case=case, outcome=outcome, detail=detail, on=on)
    return None


@transaction.atomic
def case_closure_request(
    *, actor: User, case: Case, outcome: str, detail: str = "", on: date | None = None
) -> ClosureRequest:
    """Ask a manager to approve closing the case (when the LA's settings ask for approval)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.stage == Stage.CLOSED:
        raise ValidationError({"outcome": "The case is already closed"})
    on = on or timezone.localdate()
    _check_outcome(case, outcome, on)
    if case.closure_requests.filter(state=ClosureState.AWAITING).exists():
        raise ValidationError({"outcome": "Closing this case is already waiting for a manager’s approval"})
    request = ClosureRequest.objects.create(
        case=case, outcome=outcome, detail=(detail or "").strip(), closing_on=on, requested_by=actor,
    )
    audit_case(
        actor, case, Action.CHANGE,
        f"Asked a manager to approve closing case {case.reference}: {Outcome(outcome).label}",
        {"closure_request": request.pk},
    )
    return request


@transaction.atomic
def case_closure_decide(
    *, actor: User, request: ClosureRequest, approve: bool, note: str = ""
) -> ClosureRequest:
    """A manager approves a closure (the case closes with the requested outcome) or refuses it."""
    if not policy.is_manager(actor):
        raise ValidationError({"decision": "Only a manager can approve closing a case"})
    request = ClosureRequest.objects.select_for_update().select_related("case").get(pk=request.pk)
    if request.state != ClosureState.AWAITING:
        raise ValidationError({"decision": "This closure is not waiting for approval"})
    if request.case.la_id != actor.organisation_id:
        raise ValidationError({"decision": "This case is not of your authority"})
    if not approve and not (note or "").strip():
        raise ValidationError({"note": "Enter why the case should stay open"})
    request.state = ClosureState.APPROVED if approve else ClosureState.REFUSED
    request.decided_by, request.decided_at = actor, timezone.now()
    request.decision_note = (note or "").strip()
    request.save()
    audit_case(
        actor, request.case, Action.CHANGE,
        f"{'Approved' if approve else 'Refused'} closing case {request.case.reference}",
        {"closure_request": request.pk},
    )
    if approve:
        _close(actor=actor, case=request.case, outcome=request.outcome, detail=request.detail,
               on=request.closing_on, approved_by=actor)
    return request


@transaction.atomic
def joint_evidence_produce(
    *,
    actor: User,
    case: Case,
    school: Organisation | None,
    ground: str,
    absence_from: date | None,
    last_attended_on: date | None = None,
    leave_ended_on: date | None = None,
    absence_detail: str = "",
) -> JointEnquiryEvidence:
    """The evidence that a school and the LA jointly made reasonable enquiries before the school
    deletes a pupil under ground 9(1)(h) or 9(1)(i) (SI 2024/208; statutory rules D1, D2).
    Producing it is an export of the child's record, audited as one."""
    check_choice(ground, DeletionGround, "ground", "the deletion ground")
    if school is None or school.la_id != case.la_id or not school.is_provider:
        raise ValidationError({"school": "Choose the school that wants to delete the pupil"})
    absence_from = _required_date(
        absence_from, field="absence_from",
        label="The date leave ended" if ground == DeletionGround.LEAVE_NOT_BACK else "The first day of absence",
    )
    check_not_future(last_attended_on, field="last_attended_on", label="The last day attended")
    check_not_future(leave_ended_on, field="leave_ended_on", label="The date leave ended")
    if last_attended_on and last_attended_on > absence_from:
        raise ValidationError({"last_attended_on": "The last day attended must be before the absence began"})
    if not case.enquiries.exists():
        raise ValidationError({"ground": "Record the enquiries made before producing the evidence"})
    days = _school_days_absent(case.la_id, school, absence_from)
    needed = 10 if ground == DeletionGround.LEAVE_NOT_BACK else 20
    if days is not None and days < needed:
        raise ValidationError({
            "absence_from": f"Ground {ground} needs {needed} school days of absence; there have been {days}"
        })
    evidence = JointEnquiryEvidence.objects.create(
        case=case, school=school, ground=ground, absence_from=absence_from,
        last_attended_on=last_attended_on, leave_ended_on=leave_ended_on,
        school_days_absent=days, absence_detail=(absence_detail or "").strip(), produced_by=actor,
    )
    audit_case(
        actor, case, Action.EXPORT,
        f"Produced the evidence of joint reasonable enquiries for case {case.reference} ({ground}, {school.name})",
        {"evidence": evidence.pk, "school": school.pk, "ground": ground},
    )
    return evidence


def _school_days_absent(la_id: int, school: Organisation, absence_from: date) -> int | None:
    """School days from the start of the absence to today, inclusive, by the school's calendar;
    None when the LA has no term dates for those days."""
    try:
        calendar = provider_calendar(la_id=la_id, provider_id=school.pk)
        first = absence_from - timedelta(days=1)
        return calendar.school_days_between(first, timezone.localdate())
    except (NoCalendar, cal.CalendarRangeError, cal.CalendarError):
        return None
