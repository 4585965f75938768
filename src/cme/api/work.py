"""Case work in the API, as on the pages: escalation, tasks, reassignment, and the caller's queue.

Every operation acts as the token's user through the pages' selectors and services, so scope,
permissions and audit are the same: a case outside scope answers 404; reassignment is for
managers (403 for anyone else); restricted detail is only in responses to roles that may see it.
"""

from datetime import date, datetime
from functools import partial
from typing import Literal

from ninja import Field, Path, Router, Schema, Status
from pydantic import ConfigDict

from cme.accounts import policy
from cme.accounts.models import User
from cme.api.schemas import READ_REFUSALS, BadInput, Flag, Id, IsoDate, Line, Lines, Refusal
from cme.cases.escalation import services as escalation
from cme.cases.escalation.selectors import case_escalations
from cme.cases.models import Escalation, Task
from cme.cases.queues import clocks as clock_engine
from cme.cases.queues import services
from cme.cases.queues.selectors import (
    case_tasks,
    my_work,
    officer_get_for_manager,
    task_get_for_user,
    team_officers,
)
from cme.cases.register.selectors import case_get_for_user
from cme.core.inputs import DB_INT_MAX

router = Router()

CaseId = Path(..., ge=1, le=DB_INT_MAX)
WRITE_REFUSALS = {401: Refusal, 403: Refusal, 404: Refusal, 415: BadInput, 422: BadInput}

# The role a change needs (the policy's rule, in the API's words), handed to the door so that it
# is checked before the read is audited: a refused request is not recorded as a view.
WORKS_CASES = partial(policy.require_caseworker, message="Only officers who work cases can do this")
MANAGES_WORK = partial(policy.require_manager, message="Only managers can reassign work")


# -- clocks (also part of GET /cases/{id}) ----------------------------------------------------


class ClockOut(Schema):
    key: str = Field(examples=["first_enquiry"])
    name: str = Field(examples=["First enquiry made"])
    started_on: date | None = Field(description="When the clock started; null when it does not apply")
    due_on: date | None = Field(
        description="Counted in school days by the authority's term dates; null when it does not "
        "apply, or when no term dates cover the dates needed"
    )
    state: Literal["running", "met", "overdue", "stopped", "not_applicable"] = Field(
        description="stopped: the clock no longer applies (its `until` event came first, say the child was located)")
    met_on: date | None = Field(description="When what the clock measures happened")
    late: bool = Field(description="Met, but after the due date")
    description: str = Field(description="What the clock measures, in plain words")
    source: str = Field(description="Where its time limit comes from (law, guidance or a local standard)")

    @classmethod
    def of(cls, s: clock_engine.ClockState) -> "ClockOut":
        return cls(key=s.key, name=s.name, started_on=s.started_on, due_on=s.due_on, state=s.state,
                   met_on=s.stopped_on if s.state == clock_engine.MET else None, late=s.late,
                   description=s.description, source=s.source)


# -- schemas -----------------------------------------------------------------------------------


class OfficerRef(Schema):
    id: int
    name: str


def _officer(user: User | None) -> OfficerRef | None:
    return OfficerRef(id=user.pk, name=str(user)) if user else None


class TaskOut(Schema):
    id: int
    case_id: int
    case_reference: str
    kind: str = Field(examples=["escalation"])
    title: str
    urgent: bool
    assigned_to: OfficerRef | None
    due_on: date | None
    done_at: datetime | None

    @classmethod
    def of(cls, t: Task) -> "TaskOut":
        return cls(id=t.pk, case_id=t.case_id, case_reference=t.case.reference, kind=t.kind, title=t.title,
                   urgent=t.urgent, assigned_to=_officer(t.assigned_to), due_on=t.due_on, done_at=t.done_at)


class Recipient(Schema):
    service: str = Field(examples=["police"])
    name: str
    email: str


class EscalationOut(Schema):
    id: int
    reason: str = Field(examples=["social_care_missing"])
    reason_label: str
    raised_at: datetime
    raised_by: OfficerRef | None = Field(description="Null when raised automatically")
    recipients: list[Recipient]
    subject: str
    body: str = Field(description="Exactly what was e-mailed (it never holds restricted detail)")
    sent_at: datetime | None = Field(description="When the e-mail was delivered")
    send_error: str
    delivery_state: Literal["none", "queued", "sent", "retrying", "failed"] = Field(
        description="Where the e-mail is; none when no escalation contacts are set up")
    detail: str | None = Field(
        description="What the officer recorded about the harm: only for roles that may see "
        "restricted detail, otherwise null"
    )

    @classmethod
    def of(cls, e: Escalation, detail: str | None) -> "EscalationOut":
        return cls(
            id=e.pk, reason=e.reason, reason_label=e.get_reason_display(), raised_at=e.raised_at,
            raised_by=_officer(e.raised_by),
            recipients=[Recipient(service=r["service"], name=r.get("name", ""), email=r["email"]) for r in e.recipients],
            subject=e.subject, body=e.body, sent_at=e.sent_at, send_error=e.send_error, detail=detail,
            delivery_state=e.email.state if e.email is not None else ("sent" if e.sent_at else "none"),
        )


class HarmIn(Schema):
    model_config = ConfigDict(extra="forbid")
    detail: Lines = Field(..., max_length=5000, description="What the risk of significant harm is",
                        examples=["Older sibling reports threats from an adult in the home"])


class TaskIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: Line = Field(..., max_length=200, examples=["Visit the last known address again"])
    due_on: IsoDate = Field(None, description="YYYY-MM-DD, today or later")
    assigned_to: Id | None = Field(None, description="Id of an officer of the authority who works cases")
    urgent: Flag = Field(False, description="JSON true or false")


class ReassignIn(Schema):
    model_config = ConfigDict(extra="forbid")
    officer: Id = Field(..., description="Id of the officer to give the case to")


class ReassignAllIn(Schema):
    model_config = ConfigDict(extra="forbid")
    to_officer: Id = Field(..., description="Id of the officer to give all the work to")


class ReassignAllOut(Schema):
    cases: list[str] = Field(description="References of the cases whose responsible officer changed")
    key_worker_cases: list[str] = Field(description="References of the cases whose key worker changed")
    tasks: int = Field(description="Open tasks moved")


class WorkItemOut(Schema):
    case_id: int
    case_reference: str
    what: str = Field(description="The task, or the case's most pressing clock")
    due_on: date | None
    overdue: bool
    urgent: bool
    task_id: int | None


class MyWorkOut(Schema):
    tasks: list[WorkItemOut]
    cases: list[WorkItemOut]


def _colleague(user, officer_id: int | None, field: str) -> User | None:
    """An officer of the caller's authority who works cases, or a 422 naming the field."""
    from django.core.exceptions import ValidationError

    if officer_id is None:
        return None
    found = next((o for o in team_officers(user=user) if o.pk == officer_id), None)
    if found is None:
        raise ValidationError({field: "Choose an officer of this authority who works cases"})
    return found


class ReassignOut(Schema):
    id: int = Field(description="The case")
    officer: OfficerRef


# -- operations --------------------------------------------------------------------------------


@router.get("/cases/{case_id}/escalations", response={200: list[EscalationOut], **READ_REFUSALS},
            summary="List a case's escalations",
            description="When the case was escalated, why, to whom and exactly what was sent.",
            operation_id="case_escalations")
def list_escalations(request, case_id: int = CaseId):
    case = case_get_for_user(user=request.auth, case_id=case_id)
    return [EscalationOut.of(v.escalation, v.detail)
            for v in case_escalations(user=request.auth, case=case)]


@router.post("/cases/{case_id}/escalations", response={201: EscalationOut, **WRITE_REFUSALS},
             summary="Record a risk of significant harm",
             description="Escalates the case at once: an urgent task for its officer, and an e-mail to "
             "the authority's social care and police contacts (which does not include `detail`).",
             operation_id="case_escalate")
def escalate(request, payload: HarmIn, case_id: int = CaseId):
    case = case_get_for_user(user=request.auth, case_id=case_id, require=WORKS_CASES)
    e = escalation.significant_harm_record(actor=request.auth, case=case, detail=payload.detail)
    return Status(201, EscalationOut.of(e, e.detail if policy.may_see_harm_detail(request.auth) else None))


@router.get("/cases/{case_id}/tasks", response={200: list[TaskOut], **READ_REFUSALS},
            summary="List a case's tasks", description="Open tasks first, urgent first.",
            operation_id="case_tasks")
def list_tasks(request, case_id: int = CaseId):
    case = case_get_for_user(user=request.auth, case_id=case_id)
    return [TaskOut.of(t) for t in case_tasks(case=case)]


@router.post("/cases/{case_id}/tasks", response={201: TaskOut, **WRITE_REFUSALS},
             summary="Add a task to a case", description="For officers who work cases.",
             operation_id="case_task_add")
def add_task(request, payload: TaskIn, case_id: int = CaseId):
    case = case_get_for_user(user=request.auth, case_id=case_id, require=WORKS_CASES)
    task = services.task_create(
        actor=request.auth, case=case, title=payload.title, due_on=payload.due_on,
        assigned_to=_colleague(request.auth, payload.assigned_to, "assigned_to"), urgent=payload.urgent,
    )
    return Status(201, TaskOut.of(task))


@router.post("/tasks/{task_id}/done", response={200: TaskOut, **WRITE_REFUSALS},
             summary="Mark a task done", description="For officers who work cases.",
             operation_id="task_done")
def task_done(request, task_id: int = CaseId):
    task = task_get_for_user(user=request.auth, task_id=task_id, require=WORKS_CASES)
    return TaskOut.of(services.task_complete(actor=request.auth, task=task))


@router.post("/cases/{case_id}/reassign", response={200: ReassignOut, **WRITE_REFUSALS},
             summary="Give a case to another officer",
             description="For managers: the case's responsible officer changes, and the previous "
             "officer's open tasks on it move too. Answers the case's id and new officer.",
             operation_id="case_reassign")
def reassign(request, payload: ReassignIn, case_id: int = CaseId):
    case = case_get_for_user(user=request.auth, case_id=case_id, require=MANAGES_WORK)
    officer = _colleague(request.auth, payload.officer, "officer")
    case = services.case_reassign(actor=request.auth, case=case, officer=officer)
    return ReassignOut(id=case.pk, officer=_officer(officer))


@router.post("/officers/{officer_id}/reassign", response={200: ReassignAllOut, **WRITE_REFUSALS},
             summary="Give all of an officer's work to another",
             description="For managers, when someone leaves: every open case the officer holds as "
             "responsible officer or key worker, and every open task, go to `to_officer`. Audited per case.",
             operation_id="caseload_reassign")
def reassign_all(request, payload: ReassignAllIn, officer_id: int = CaseId):
    officer = officer_get_for_manager(user=request.auth, officer_id=officer_id)  # 404 outside the LA
    to_officer = _colleague(request.auth, payload.to_officer, "to_officer")
    done = services.caseload_reassign(actor=request.auth, from_officer=officer, to_officer=to_officer)
    return ReassignAllOut(cases=done.cases, key_worker_cases=done.key_worker_cases, tasks=done.tasks)


@router.get("/work/mine", response={200: MyWorkOut, **READ_REFUSALS},
            summary="My work",
            description="The caller's open tasks and the open cases they are responsible for, "
            "urgent first, then overdue, then by due date. Audited.",
            operation_id="my_work")
def mine(request):
    policy.require_la_staff_or_404(request.auth)
    tasks, cases = my_work(user=request.auth)

    def out(i):
        return WorkItemOut(case_id=i.case.pk, case_reference=i.case.reference, what=i.what, due_on=i.due_on,
                           overdue=i.overdue, urgent=i.urgent, task_id=i.task.pk if i.task else None)

    return MyWorkOut(tasks=[out(i) for i in tasks], cases=[out(i) for i in cases])

