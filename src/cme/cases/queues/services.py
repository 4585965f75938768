"""Business actions of the work queues: tasks, reassigning cases, and the daily digest.
Each is keyword-only, in a transaction, and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cme.accounts import policy
from cme.accounts.models import User
from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.cases.queues import clocks
from cme.cases.queues.models import Digest, DigestKind
from cme.cases.queues.selectors import clocks_for_cases, team_officers
from cme.cases.register.models import OPEN_STAGES, Case, Task, TaskKind
from cme.cases.register.services import audit_case, case_assign
from cme.core.mail import email_queue
from cme.providers.models import Organisation, OrgKind


def _check_assignee(officer: User | None, la_id: int, field_name: str = "assigned_to") -> None:
    if officer is not None and (
        officer.organisation_id != la_id or not policy.may_work_cases(officer) or not officer.is_active
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
    audit_case(actor, case, Action.CHANGE, f"Added a task to case {case.reference}: {title}"[:300], {"task": task.pk})
    return task


@transaction.atomic
def task_complete(*, actor: User, task: Task) -> Task:
    task = Task.objects.select_for_update().select_related("case").get(pk=task.pk)
    if task.done_at is not None:
        raise ValidationError({"task": "This task is already done"})
    task.done_at, task.done_by = timezone.now(), actor
    task.save(update_fields=["done_at", "done_by"])
    audit_case(actor, task.case, Action.CHANGE, f"Completed a task on case {task.case.reference}: {task.title}"[:300],
                {"task": task.pk})
    return task


@transaction.atomic
def case_reassign(*, actor: User, case: Case, officer: User) -> Case:
    """A manager gives a case to another officer; the old officer's open tasks on it go too."""
    policy.require_manager(actor)
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
            audit_case(actor, case, Action.CHANGE, f"Moved {moved} open task(s) on case {case.reference} to {officer}")
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
    policy.require_manager(actor)
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
        audit_case(
            actor, case, Action.CHANGE,
            f"Reassigned case {case.reference} from {from_officer} to {to_officer} ({' and '.join(changed)})",
            {"from": from_officer.pk, "to": to_officer.pk, "fields": changed, "tasks": moved},
        )
    # Open tasks on cases the leaver held in neither role.
    rest = Task.objects.filter(case__la_id=actor.la_id, assigned_to=from_officer, done_at__isnull=True)
    for task in rest.select_related("case"):
        task.assigned_to = to_officer
        task.save(update_fields=["assigned_to"])
        done.tasks += 1
        audit_case(actor, task.case, Action.CHANGE, f"Reassigned a task on case {task.case.reference} from {from_officer} to {to_officer}",
                    {"task": task.pk})
    return done


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
        # Sent by the task queue once this commits, tried again if the mail server fails.
        digest.email = email_queue(to=[user.email], subject=subject, body=body, purpose="digest")
        digest.save(update_fields=["email"])
    return True


def digests_send(*, on: dt.date | None = None, progress=None) -> DigestReport:
    """Each caseworker's tasks and clocks due and overdue; each manager a summary of the team.

    Idempotent per day: a digest already recorded for a user, kind and day is not sent again.
    E-mails name cases by reference only, never a child or a flag.
    """
    on = on or timezone.localdate()
    report = DigestReport(on=on)
    las = list(Organisation.objects.filter(kind=OrgKind.LA).order_by("pk"))
    for la in las:
        staff = [u for u in User.objects.filter(organisation=la, is_active=True).exclude(email="")
                 if policy.may_work_cases(u)]
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
        for manager in [u for u in staff if policy.is_manager(u)]:
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
