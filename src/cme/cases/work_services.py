"""Business actions of case work: tasks, escalation to social care and the police, reassigning
cases, and the daily digest. Each is keyword-only, in a transaction, and audited.

Escalation never puts a vulnerability flag, or what an officer wrote about harm, into an e-mail,
a task or an audit summary: those are read by people who may not see restricted detail. The
e-mail says that a child known to children's social care is missing, with a link to the case.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.cases.models import (
    OPEN_STAGES,
    Case,
    Category,
    Digest,
    DigestKind,
    Escalation,
    EscalationReason,
    Stage,
    StageChange,
    Task,
    TaskKind,
)
from cme.people.models import SAFEGUARDING_FLAGS, VulnerabilityFlag
from cme.providers.models import Organisation, OrgKind

logger = logging.getLogger(__name__)

SERVICES = {"social_care": "Children’s social care", "police": "Police"}


def _audit_case(actor, case: Case, summary: str, detail: dict | None = None, action: str = Action.CHANGE) -> None:
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


def _case_url(case: Case) -> str:
    return settings.CME_BASE_URL + reverse("cases:detail", args=[case.pk])


# -- tasks -------------------------------------------------------------------------------------


def _check_assignee(officer: User | None, la_id: int, field_name: str = "assigned_to") -> None:
    if officer is not None and (
        officer.organisation_id != la_id or not officer.can_work_cases or not officer.is_active
    ):
        raise ValidationError({field_name: "Choose an officer of this authority who works cases"})


@transaction.atomic
def task_create(
    *,
    actor: User | None,
    case: Case,
    title: str,
    due_on: dt.date | None = None,
    assigned_to: User | None = None,
    urgent: bool = False,
    kind: str = TaskKind.FOLLOW_UP,
) -> Task:
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Enter what needs to be done"
    elif len(title) > 200:
        errors["title"] = "What needs to be done must be 200 characters or fewer"
    if not case.is_open:
        errors["case"] = "Tasks cannot be added to a closed case"
    if due_on is not None and due_on < timezone.localdate():
        errors["due_on"] = "The due date must be today or in the future"
    if kind not in TaskKind.values:
        errors["kind"] = "Choose a kind of task"
    if errors:
        raise ValidationError(errors)
    _check_assignee(assigned_to, case.la_id)
    task = Task.objects.create(
        case=case, kind=kind, title=title, urgent=urgent, due_on=due_on,
        assigned_to=assigned_to, created_by=actor,
    )
    _audit_case(actor, case, f"Added a task to case {case.reference}: {title}"[:300], {"task": task.pk})
    return task


@transaction.atomic
def task_complete(*, actor: User, task: Task) -> Task:
    task = Task.objects.select_for_update().select_related("case").get(pk=task.pk)
    if task.done_at is not None:
        raise ValidationError({"task": "This task is already done"})
    task.done_at, task.done_by = timezone.now(), actor
    task.save(update_fields=["done_at", "done_by"])
    _audit_case(actor, task.case, f"Completed a task on case {task.case.reference}: {task.title}"[:300],
                {"task": task.pk})
    return task


# -- escalation --------------------------------------------------------------------------------


def escalation_recipients(*, la: Organisation) -> list[dict]:
    """Who is told: CME_ESCALATION_EMAILS for the LA's code (and "*" for every LA), then the
    authority's partner agencies whose names say Police or Social Care, at their contact e-mail."""
    found: list[dict] = []
    seen: set[str] = set()

    def add(service: str, email: str, name: str = "") -> None:
        email = (email or "").strip()
        if email and email.lower() not in seen:
            seen.add(email.lower())
            found.append({"service": service, "service_label": SERVICES[service], "name": name, "email": email})

    configured = settings.CME_ESCALATION_EMAILS or {}
    for key in (la.la_code, "*"):
        for service, emails in (configured.get(key) or {}).items():
            if service in SERVICES:
                for email in [emails] if isinstance(emails, str) else emails:
                    add(service, email)
    partners = Organisation.objects.filter(la=la, kind=OrgKind.PARTNER_AGENCY).exclude(contact_email="")
    for org in partners.order_by("name", "pk"):
        lowered = org.name.lower()
        if "police" in lowered:
            add("police", org.contact_email, org.name)
        elif "social care" in lowered or "children's services" in lowered.replace("’", "'"):
            add("social_care", org.contact_email, org.name)
    return found


def _message(case: Case, reason: str) -> tuple[str, str]:
    officer = case.responsible_officer
    contact = f"{officer} ({officer.email})" if officer and officer.email else (
        f"{case.la.contact_name or 'The CME team'} ({case.la.contact_email})" if case.la.contact_email
        else "the children missing education team"
    )
    if reason == EscalationReason.SIGNIFICANT_HARM:
        headline = "a risk of significant harm has been recorded for a child missing education"
        ask = "Please consider the child under your safeguarding procedures and contact the officer below at once."
    else:
        headline = "a child known to children’s social care is missing education"
        ask = ("The child's whereabouts are being established. Please check your records, share what you "
               "know and contact the officer below at once.")
    subject = f"Urgent: {headline} – case {case.reference}"
    body = (
        f"{case.la.name}'s children missing education team has escalated case {case.reference}: "
        f"{headline}.\n\n{ask}\n\nCase: {_case_url(case)}\nContact: {contact}\n\n"
        "For the child's safety this message holds no personal details; sign in to see the case, "
        "or telephone the contact above."
    )
    return subject, body


def _deliver(escalation_id: int) -> None:
    """Send an escalation's e-mail once its transaction has committed; record the outcome."""
    e = Escalation.objects.get(pk=escalation_id)
    emails = [r["email"] for r in e.recipients]
    if not emails:
        return
    try:
        send_mail(e.subject, e.body, settings.DEFAULT_FROM_EMAIL, emails, fail_silently=False)
    except Exception as exc:  # any delivery failure is kept on the escalation for the officer to see
        logger.exception("Escalation %s could not be sent", escalation_id)
        Escalation.objects.filter(pk=escalation_id).update(send_error=str(exc)[:300])
    else:
        Escalation.objects.filter(pk=escalation_id).update(sent_at=timezone.now())


@transaction.atomic
def escalation_raise(
    *,
    actor: User | None,
    case: Case,
    reason: str,
    trigger: str,
    detail: str = "",
    needed_on: dt.date | None = None,
) -> Escalation:
    """Escalate a case at once: an urgent task for its officer, and an e-mail to the configured
    social care and police contacts, sent when this transaction commits."""
    if reason not in EscalationReason.values:
        raise ValidationError({"reason": "Choose why the case is escalated"})
    case = Case.objects.select_related("la", "responsible_officer").get(pk=case.pk)
    now = timezone.now()
    recipients = escalation_recipients(la=case.la)
    subject, body = _message(case, reason)
    owner = case.responsible_officer or (actor if actor is not None and actor.can_work_cases else None)
    title = (
        "Urgent: risk of significant harm – check social care and police have what they need"
        if reason == EscalationReason.SIGNIFICANT_HARM
        else "Urgent: child known to children’s social care is missing – agree next steps with social care and police"
    )
    if not recipients:
        title = title.split(" – ")[0] + " – no escalation contacts are set up: telephone social care and police"
    task = Task.objects.create(
        case=case, kind=TaskKind.ESCALATION, title=title, urgent=True,
        assigned_to=owner, due_on=timezone.localdate(), created_by=actor,
    )
    escalation = Escalation.objects.create(
        case=case, reason=reason, detail=detail.strip(), trigger=trigger,
        needed_on=needed_on or timezone.localdate(), raised_by=actor, raised_at=now,
        recipients=recipients, subject=subject, body=body, task=task,
    )
    _audit_case(
        actor, case,
        f"Escalated case {case.reference} to social care and police ({len(recipients)} recipients)",
        {"escalation": escalation.pk, "reason": reason, "trigger": trigger,
         "recipients": [r["email"] for r in recipients]},
    )
    transaction.on_commit(lambda: _deliver(escalation.pk))
    return escalation


def _needs_escalation(case: Case, missing: bool) -> bool:
    """A missing child (the case's category, or a referral just triaged as missing) with a
    current child protection plan, child-in-need or looked-after flag."""
    missing = missing or case.category == Category.MISSING
    return case.is_open and missing and VulnerabilityFlag.objects.filter(
        child_id=case.child_id, flag__in=SAFEGUARDING_FLAGS, ended_on__isnull=True
    ).exists()


def _escalated_this_episode(case: Case) -> bool:
    """Already escalated for being missing since the case was last opened or reopened."""
    reopened = (
        StageChange.objects.filter(case=case, from_stage=Stage.CLOSED).order_by("-changed_at")
        .values_list("changed_at", flat=True).first()
    )
    qs = case.escalations.filter(reason=EscalationReason.KNOWN_TO_SOCIAL_CARE)
    if reopened:
        qs = qs.filter(raised_at__gte=reopened)
    return qs.exists()


@transaction.atomic
def escalation_check(*, actor: User | None, case: Case, trigger: str, missing: bool = False) -> Escalation | None:
    """Called by triage, case opening and flag changes: escalate a missing child known to
    children's social care, once per episode of the case. `missing`: a referral about the child
    was just triaged as missing, whatever the case's category."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not _needs_escalation(case, missing) or _escalated_this_episode(case):
        return None
    return escalation_raise(actor=actor, case=case, reason=EscalationReason.KNOWN_TO_SOCIAL_CARE, trigger=trigger)


def escalation_check_child(*, actor: User | None, child_id: int, trigger: str) -> list[Escalation]:
    """Escalation checks for every open case of a child (after a flag is added)."""
    found = []
    for case in Case.objects.filter(child_id=child_id, stage__in=OPEN_STAGES):
        if (e := escalation_check(actor=actor, case=case, trigger=trigger)) is not None:
            found.append(e)
    return found


@transaction.atomic
def significant_harm_record(*, actor: User, case: Case, detail: str) -> Escalation:
    """An officer records a risk of significant harm: escalated at once, whatever the flags."""
    if not actor.can_work_cases:
        raise PermissionDenied("Only officers who work cases can record a risk of harm")
    detail = (detail or "").strip()
    if not detail:
        raise ValidationError({"detail": "Enter what the risk of significant harm is"})
    if len(detail) > 5000:
        raise ValidationError({"detail": "What the risk is must be 5,000 characters or fewer"})
    if not case.is_open:
        raise ValidationError({"detail": "The case is closed: reopen it first"})
    return escalation_raise(
        actor=actor, case=case, reason=EscalationReason.SIGNIFICANT_HARM, trigger="recorded", detail=detail,
    )


# -- reassignment ------------------------------------------------------------------------------


def _require_manager(actor: User) -> None:
    if not actor.is_manager:
        raise PermissionDenied("Only managers can reassign work")


@transaction.atomic
def case_reassign(*, actor: User, case: Case, officer: User) -> Case:
    """A manager gives a case to another officer; the old officer's open tasks on it go too."""
    from cme.cases.services import case_assign

    _require_manager(actor)
    if officer is None:
        raise ValidationError({"officer": "Choose the officer to give the case to"})
    _check_assignee(officer, case.la_id, "officer")
    if not case.is_open:
        raise ValidationError({"officer": "The case is closed"})
    previous = case.responsible_officer_id
    case = case_assign(actor=actor, case=case, officer=officer)
    if previous and previous != officer.pk:
        moved = Task.objects.filter(case=case, assigned_to_id=previous, done_at__isnull=True).update(assigned_to=officer)
        if moved:
            _audit_case(actor, case, f"Moved {moved} open task(s) on case {case.reference} to {officer}")
    return case


@dataclass
class BulkReassignment:
    cases: list[str] = field(default_factory=list)
    key_worker_cases: list[str] = field(default_factory=list)
    tasks: int = 0


@transaction.atomic
def caseload_reassign(*, actor: User, from_officer: User, to_officer: User) -> BulkReassignment:
    """When someone leaves: all their open cases (as responsible officer or key worker) and open
    tasks go to another officer. Audited per case."""
    _require_manager(actor)
    errors = {}
    if from_officer is None or from_officer.organisation_id != actor.la_id:
        errors["from_officer"] = "Choose the officer whose work is to be reassigned"
    if to_officer is None:
        errors["to_officer"] = "Choose the officer to give the work to"
    elif from_officer is not None and to_officer.pk == from_officer.pk:
        errors["to_officer"] = "Choose a different officer to give the work to"
    if errors:
        raise ValidationError(errors)
    _check_assignee(to_officer, actor.la_id, "to_officer")
    done = BulkReassignment()
    today = timezone.localdate()
    cases = (
        Case.objects.select_for_update()
        .filter(la_id=actor.la_id, stage__in=OPEN_STAGES)
        .filter(Q(responsible_officer=from_officer) | Q(key_worker=from_officer))
        .order_by("id")
    )
    for case in cases:
        changed = []
        if case.responsible_officer_id == from_officer.pk:
            case.responsible_officer = to_officer
            changed.append("responsible officer")
            done.cases.append(case.reference)
        if case.key_worker_id == from_officer.pk:
            case.key_worker, case.key_worker_since = to_officer, today
            changed.append("key worker")
            done.key_worker_cases.append(case.reference)
        case._history_user = actor
        case.save()
        moved = Task.objects.filter(case=case, assigned_to=from_officer, done_at__isnull=True).update(
            assigned_to=to_officer
        )
        done.tasks += moved
        _audit_case(
            actor, case,
            f"Reassigned case {case.reference} from {from_officer} to {to_officer} ({' and '.join(changed)})",
            {"from": from_officer.pk, "to": to_officer.pk, "fields": changed, "tasks": moved},
        )
    # Open tasks on cases the leaver held in neither role.
    rest = Task.objects.filter(case__la_id=actor.la_id, assigned_to=from_officer, done_at__isnull=True)
    for task in rest.select_related("case"):
        task.assigned_to = to_officer
        task.save(update_fields=["assigned_to"])
        done.tasks += 1
        _audit_case(actor, task.case, f"Reassigned a task on case {task.case.reference} from {from_officer} to {to_officer}",
                    {"task": task.pk})
    return done


# -- the daily digest --------------------------------------------------------------------------


@dataclass
class DigestReport:
    on: dt.date
    sent: list[str] = field(default_factory=list)  # "username (kind)"
    already: int = 0
    nothing_due: int = 0


DUE_AHEAD_DAYS = 3


def _officer_lines(cases: list[Case], states: dict, tasks: list[Task], on: dt.date) -> tuple[list[str], int]:
    """Lines of an officer's digest (urgent tasks, then overdue and soon-due items), and how many
    are overdue."""
    from cme.cases import clocks

    ahead = on + dt.timedelta(days=DUE_AHEAD_DAYS)
    lines, overdue = [], 0
    for task in sorted(tasks, key=lambda t: (not t.urgent, t.due_on or dt.date.max)):
        if task.urgent or (task.due_on and task.due_on <= ahead):
            late = bool(task.due_on and task.due_on < on)
            overdue += late
            when = "overdue since" if late else "due"
            due = f" – {when} {task.due_on:%-d %B %Y}" if task.due_on else ""
            lines.append(f"{'URGENT ' if task.urgent else ''}Task on case {task.case.reference}: {task.title}{due}")
    for case in cases:
        for s in states[case.pk]:
            if s.state == clocks.OVERDUE:
                overdue += 1
                lines.append(f"Case {case.reference}: {s.name} – overdue since {s.due_on:%-d %B %Y}")
            elif s.state == clocks.RUNNING and s.due_on and s.due_on <= ahead:
                lines.append(f"Case {case.reference}: {s.name} – due {s.due_on:%-d %B %Y}")
    return lines, overdue


def _record_and_send(user: User, kind: str, on: dt.date, subject: str, body: str, items: int) -> bool:
    """Record the digest (at most one per user, kind and day) and send it after commit."""
    with transaction.atomic():
        digest, created = Digest.objects.get_or_create(
            user=user, kind=kind, on=on,
            defaults={"subject": subject, "body": body, "items": items, "sent_at": timezone.now()},
        )
        if not created:
            return False
        audit_record(
            actor=None, action=Action.EXPORT, object_type="digest", object_id=digest.pk,
            la_id=user.la_id, summary=f"Sent the {digest.get_kind_display().lower()} to {user}"[:300],
            detail={"items": items, "on": on.isoformat()},
        )
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
        )
    return True


def digests_send(*, on: dt.date | None = None, progress=None) -> DigestReport:
    """Each caseworker's tasks and clocks due and overdue; each manager a summary of the team.

    Idempotent per day: a digest already recorded for a user, kind and day is not sent again.
    E-mails name cases by reference only, never a child or a flag.
    """
    from cme.cases.work_selectors import clocks_for_cases, team_officers

    on = on or timezone.localdate()
    report = DigestReport(on=on)
    las = list(Organisation.objects.filter(kind=OrgKind.LA).order_by("pk"))
    for la in las:
        staff = [u for u in User.objects.filter(organisation=la, is_active=True).exclude(email="")
                 if u.can_work_cases]
        if not staff:
            continue
        cases = list(Case.objects.filter(la=la, stage__in=OPEN_STAGES).select_related("la").order_by("referred_on", "id"))
        states = clocks_for_cases(cases, today=on)
        tasks = list(Task.objects.filter(case__la=la, done_at__isnull=True).select_related("case"))
        by_officer: dict[int | None, list[Case]] = {}
        for case in cases:
            by_officer.setdefault(case.responsible_officer_id, []).append(case)
        tasks_by: dict[int | None, list[Task]] = {}
        for task in tasks:
            tasks_by.setdefault(task.assigned_to_id, []).append(task)
        summary_rows = []
        for officer in team_officers(user=staff[0]):
            lines, overdue = _officer_lines(by_officer.get(officer.pk, []), states, tasks_by.get(officer.pk, []), on)
            summary_rows.append(
                f"{officer}: {len(by_officer.get(officer.pk, []))} open cases, {overdue} overdue, "
                f"{len(tasks_by.get(officer.pk, []))} open tasks"
            )
            if progress:
                progress()
            if not lines or not officer.email:
                report.nothing_due += 1
                continue
            body = (
                f"Good morning {officer.first_name or officer},\n\nWhat is due and overdue on your cases, "
                f"{on:%-d %B %Y}:\n\n" + "\n".join(f"- {line}" for line in lines)
                + f"\n\nYour work: {settings.CME_BASE_URL}{reverse('work:mine')}\n"
            )
            subject = f"CME Tracker: {len(lines)} item{'s' if len(lines) != 1 else ''} due or overdue – {on:%-d %B %Y}"
            if _record_and_send(officer, DigestKind.OFFICER, on, subject, body, len(lines)):
                report.sent.append(f"{officer.username} (officer)")
            else:
                report.already += 1
        unassigned = len(by_officer.get(None, []))
        for manager in [u for u in staff if u.is_manager]:
            body = (
                f"The team's work on {on:%-d %B %Y}:\n\n" + "\n".join(f"- {row}" for row in summary_rows)
                + f"\n- Open cases with no responsible officer: {unassigned}"
                + f"\n\nThe team's workload: {settings.CME_BASE_URL}{reverse('work:team')}\n"
            )
            subject = f"CME Tracker: team summary – {on:%-d %B %Y}"
            if _record_and_send(manager, DigestKind.MANAGER, on, subject, body, len(summary_rows)):
                report.sent.append(f"{manager.username} (manager)")
            else:
                report.already += 1
    return report
