"""Case work through the API: every action of the case pages of issue 5 (enquiries, locating,
the other LA's acceptance, key worker, needs assessment and its approval, closing with an outcome
and its approval, reopening, evidence of joint reasonable enquiries).

The same selectors (scope, audit) and services (rules, audit) as the pages: a case outside the
caller's scope answers 404; a caller who may not work cases answers 403; bad input answers 422
naming the field, and nothing changes.
"""

from datetime import date, datetime
from functools import partial, wraps
from typing import TYPE_CHECKING, Literal, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from cme.accounts import policy
from cme.api.errors import service_error
from cme.api.schemas import BadInput, Day, Flag, Id, IsoDate, Line, Lines, Refusal
from cme.cases.casework import services as casework
from cme.cases.casework.selectors import (
    LocationView,
    case_enquiries,
    case_locations_seen_by,
    case_other_la_referrals,
    closure_request_waiting,
    enquiry_checklist,
    needs_assessment_current,
    other_la_directory,
)
from cme.cases.models import (
    ApprovalState,
    ClosureState,
    DeletionGround,
    EnquiryKind,
    KeyWorkerRole,
    Outcome,
    ProvisionKind,
    SenStatus,
    Stage,
)
from cme.cases.register import services as register
from cme.cases.register import stages
from cme.cases.register.concurrency import changed_since
from cme.cases.register.selectors import case_get_for_user, case_officers, case_providers
from cme.core.inputs import DB_INT_MAX
from cme.providers.selectors import provider_by_laestab_for_user

router = Router()


def _if_match(handler):
    """A change sent with `If-Match: "<the case's updated_at>"` is made only if the case is still
    as the client last read it (else 412, saying who changed it); the case row is locked for the
    change, as on the pages (cme.cases.register.concurrency). Without If-Match, as before."""

    @wraps(handler)
    def guarded(request, *args, **kwargs):
        tag = request.headers.get("If-Match")
        case_id = kwargs.get("case_id")
        if tag is None or case_id is None:
            return handler(request, *args, **kwargs)
        with transaction.atomic():
            if problem := changed_since(user=request.auth, case_id=case_id, seen=tag.strip().strip('"')):
                raise HttpError(412, problem)
            return handler(request, *args, **kwargs)

    return guarded


router.add_decorator(_if_match)

WRITE_REFUSALS = {401: Refusal, 403: Refusal, 404: Refusal, 415: BadInput, 422: BadInput}
READ = {401: Refusal, 404: Refusal, 422: BadInput}
# Ids in the path: a number no id column holds is refused (422), never sent to the database.
CaseId = Path(..., ge=1, le=DB_INT_MAX)
ReferralId = Path(..., ge=1, le=DB_INT_MAX)

# Literals of the choices for pydantic (and the OpenAPI enums); plain strings to mypy.
if TYPE_CHECKING:
    EnquiryCode = str
    KeyWorkerCode = str
    SenCode = str
    ProvisionCode = str
    OutcomeCode = str
    GroundCode = str
    ApprovalCode = str
else:
    EnquiryCode = Literal[tuple(EnquiryKind.values)]
    KeyWorkerCode = Literal[tuple(KeyWorkerRole.values)]
    SenCode = Literal[tuple(SenStatus.values)]
    ProvisionCode = Literal[tuple(ProvisionKind.values)]
    OutcomeCode = Literal[tuple(Outcome.values)]
    GroundCode = Literal[tuple(DeletionGround.values)]
    ApprovalCode = Literal[tuple(ApprovalState.values)]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


def _case_to_work(request, case_id: int):
    case = case_get_for_user(user=request.auth, case_id=case_id, require=policy.require_caseworker)
    return case


def _run(call, locs: dict | None = None):
    try:
        return call()
    except DjangoValidationError as e:
        raise service_error(e, locs) from e


def _pick(items, pk: int | None, field: str, message: str):
    if pk is None:
        return None
    found = next((i for i in items if i.pk == pk), None)
    if found is None:
        raise service_error(DjangoValidationError({field: message}))
    return found


# -- enquiries ---------------------------------------------------------------------------------

class EnquiryOut(Schema):
    id: int
    kind: EnquiryCode
    kind_label: str
    made_on: date
    officer: str = Field(description="Who made the enquiry")
    outcome: str
    next_step: str
    joint_with_school_id: int | None = Field(description="The school that made it with the LA, if any")
    recorded_at: datetime

    @classmethod
    def of(cls, e) -> "EnquiryOut":
        return cls(id=e.pk, kind=e.kind, kind_label=e.get_kind_display(), made_on=e.made_on,
                   officer=str(e.officer), outcome=e.outcome, next_step=e.next_step,
                   joint_with_school_id=e.joint_with_id, recorded_at=e.created_at)


class EnquiryKindOut(Schema):
    kind: EnquiryCode
    label: str
    done: bool
    enquiries: list[EnquiryOut]


class EnquiryIn(In):
    kind: EnquiryCode
    made_on: Day = Field(description="Not in the future")
    officer_id: Id | None = Field(None, description="Who made it; the caller when left out")
    outcome: Lines = Field(max_length=5000)
    next_step: Lines = Field("", max_length=2000)
    joint_with_school_id: Id | None = Field(None, description="A school of the authority that enquired jointly")


@router.get("/{case_id}/enquiries", response={200: list[EnquiryKindOut], **READ},
            summary="The reasonable enquiries: made and still to make",
            description="Every kind of reasonable enquiry, whether one has been made, and those made.",
            operation_id="case_enquiries")
def list_enquiries(request, case_id: int = CaseId):
    case = case_get_for_user(user=request.auth, case_id=case_id)
    return [EnquiryKindOut(kind=c.kind, label=c.label, done=c.done, enquiries=[EnquiryOut.of(e) for e in c.enquiries])
            for c in enquiry_checklist(case=case)]


@router.post("/{case_id}/enquiries", response={201: EnquiryOut, **WRITE_REFUSALS},
             summary="Record an enquiry",
             description="The first enquiry moves the case to locating. A date in the future is refused.",
             operation_id="enquiry_record")
def record_enquiry(request, payload: EnquiryIn, case_id: int = CaseId):
    user = request.auth
    case = _case_to_work(request, case_id)
    officer = user if payload.officer_id is None else _pick(
        case_officers(user=user), payload.officer_id, "officer_id", "Choose an officer of this authority")
    school = _pick(case_providers(user=user), payload.joint_with_school_id, "joint_with_school_id",
                   "Choose a school of this authority")
    enquiry = _run(lambda: casework.enquiry_record(
        actor=user, case=case, kind=payload.kind, made_on=payload.made_on, officer=officer,
        outcome=payload.outcome, next_step=payload.next_step, joint_with=school,
    ), {"officer": ("body", "officer_id"), "joint_with": ("body", "joint_with_school_id")})
    return Status(201, EnquiryOut.of(enquiry))


# -- locating ----------------------------------------------------------------------------------

WhereaboutsCode = Literal["found", "moved_la", "left_country", "not_found"]


class LocationOut(Schema):
    id: int
    whereabouts: WhereaboutsCode
    whereabouts_label: str
    on: date
    address: str | None = Field(description="Where the child was found; null when none, or withheld")
    address_withheld: bool = Field(description="True when a refuge address is withheld from this caller's role")
    parental_responsibility: str
    other_la: str | None
    country: str
    detail: str

    @classmethod
    def of(cls, loc: LocationView) -> "LocationOut":
        return cls(id=loc.pk, whereabouts=cast(WhereaboutsCode, loc.whereabouts), whereabouts_label=loc.whereabouts_label,
                   on=loc.on, address=loc.address, address_withheld=loc.address_withheld,
                   parental_responsibility=loc.parental_responsibility, other_la=loc.other_la,
                   country=loc.country, detail=loc.detail)


class OtherLaReferralOut(Schema):
    id: int
    other_la: str
    other_la_id: int
    sent_to_name: str
    sent_to_email: str
    subject: str
    body: str = Field(description="Exactly what was sent")
    sent_at: datetime = Field(description="When it was handed to the queue for sending")
    delivery_state: Literal["queued", "sent", "retrying", "failed"] = Field(
        description="Where the e-mail is: queued, sent, retrying (the mail server failed; tried again later) "
                    "or failed (not delivered: telephone the contact)")
    accepted_on: date | None

    @classmethod
    def of(cls, r) -> "OtherLaReferralOut":
        return cls(id=r.pk, other_la=str(r.other_la), other_la_id=r.other_la_id, sent_to_name=r.sent_to_name,
                   sent_to_email=r.sent_to_email, subject=r.subject, body=r.body, sent_at=r.sent_at,
                   delivery_state=r.email.state if r.email is not None else "sent", accepted_on=r.accepted_on)


class WhereaboutsOut(Schema):
    whereabouts: str | None = Field(description="found, moved_la, left_country, not_found; null until recorded")
    stage: str
    locations: list[LocationOut] = Field(description="Newest first")
    other_la_referrals: list[OtherLaReferralOut]


class FoundIn(In):
    on: Day
    line1: Line = Field(max_length=200)
    line2: Line = Field("", max_length=200)
    town: Line = Field("", max_length=100)
    postcode: Line = Field("", max_length=10)
    is_refuge: Flag = False
    parental_responsibility: Line = Field(max_length=200, examples=["Jane Hartley (mother)"])
    detail: Lines = Field("", max_length=2000)


class MovedIn(In):
    other_la_id: Id = Field(description="An entry of the authority's LA contacts directory")
    on: Day
    detail: Lines = Field("", max_length=2000, description="What is known of the move: kept on the case, never e-mailed")


class LeftCountryIn(In):
    on: Day
    country: Line = Field("", max_length=100)
    detail: Lines = Field("", max_length=2000)


class NotFoundIn(In):
    on: Day
    detail: Lines = Field(max_length=2000, description="What has been tried so far")


class AcceptedIn(In):
    accepted_on: Day


def _whereabouts(request, case) -> WhereaboutsOut:
    case.refresh_from_db()
    return WhereaboutsOut(
        whereabouts=case.whereabouts or None, stage=case.stage,
        locations=[LocationOut.of(loc) for loc in case_locations_seen_by(user=request.auth, case=case)],
        other_la_referrals=[OtherLaReferralOut.of(r) for r in case_other_la_referrals(case=case)],
    )


@router.get("/{case_id}/whereabouts", response={200: WhereaboutsOut, **READ},
            summary="Where the child is",
            description="What locating has found so far, newest first, and the referrals sent to other "
                        "authorities with exactly what was sent.",
            operation_id="case_whereabouts")
def read_whereabouts(request, case_id: int = CaseId):
    return _whereabouts(request, case_get_for_user(user=request.auth, case_id=case_id))


@router.post("/{case_id}/whereabouts/found", response={200: WhereaboutsOut, **WRITE_REFUSALS},
             summary="Record where the child was found",
             description="The address joins the child's address history; the case moves to located.",
             operation_id="case_child_found")
def child_found(request, payload: FoundIn, case_id: int = CaseId):
    case = _case_to_work(request, case_id)
    _run(lambda: casework.case_child_found(actor=request.auth, case=case, **payload.model_dump()))
    return _whereabouts(request, case)


@router.post("/{case_id}/whereabouts/moved", response={200: WhereaboutsOut, **WRITE_REFUSALS},
             summary="Record that the family moved to another authority",
             description="Queues an e-mail to that authority's named CME contact holding no personal data "
                         "(the case reference, who to contact, where to sign in), and keeps what was sent, "
                         "when, and whether it was delivered.",
             operation_id="case_moved_to_other_la")
def moved(request, payload: MovedIn, case_id: int = CaseId):
    case = _case_to_work(request, case_id)
    other = _pick(other_la_directory(user=request.auth), payload.other_la_id, "other_la_id",
                  "Choose an authority from the LA contacts")
    _run(lambda: casework.case_moved_to_other_la(actor=request.auth, case=case, on=payload.on, other_la=other,
                                                 detail=payload.detail),
         {"other_la": ("body", "other_la_id")})
    return _whereabouts(request, case)


@router.post("/{case_id}/other-la-referrals/{referral_id}/accepted",
             response={200: WhereaboutsOut, **WRITE_REFUSALS},
             summary="Record that the other authority accepted the child",
             description="Once accepted, the case may close with the outcome moved_la.",
             operation_id="other_la_referral_accept")
def accepted(request, payload: AcceptedIn, case_id: int = CaseId, referral_id: int = ReferralId):
    case = _case_to_work(request, case_id)
    referral = case.other_la_referrals.filter(pk=referral_id).first()
    if referral is None:
        raise HttpError(404, "Not Found")
    _run(lambda: casework.other_la_referral_accept(actor=request.auth, referral=referral, on=payload.accepted_on))
    return _whereabouts(request, case)


@router.post("/{case_id}/whereabouts/left-country", response={200: WhereaboutsOut, **WRITE_REFUSALS},
             summary="Record that the family left the country",
             description="The case moves to located; it may then close with the outcome left_country.",
             operation_id="case_left_country")
def left_country(request, payload: LeftCountryIn, case_id: int = CaseId):
    case = _case_to_work(request, case_id)
    _run(lambda: casework.case_left_country(actor=request.auth, case=case, **payload.model_dump()))
    return _whereabouts(request, case)


@router.post("/{case_id}/whereabouts/not-found", response={200: WhereaboutsOut, **WRITE_REFUSALS},
             summary="Record that the child cannot be found",
             description="The case stays open at locating and the child stays on the register.",
             operation_id="case_child_not_found")
def not_found(request, payload: NotFoundIn, case_id: int = CaseId):
    case = _case_to_work(request, case_id)
    _run(lambda: casework.case_child_not_found(actor=request.auth, case=case, **payload.model_dump()))
    return _whereabouts(request, case)


# -- key worker and needs ----------------------------------------------------------------------

class KeyWorkerIn(In):
    officer_id: Id
    role: KeyWorkerCode
    since: IsoDate = Field(None, description="Today when left out")


class KeyWorkerOut(Schema):
    officer_id: int | None
    officer: str | None
    role: KeyWorkerCode | None
    since: date | None


@router.put("/{case_id}/key-worker", response={200: KeyWorkerOut, **WRITE_REFUSALS},
            summary="Allocate the key worker or lead professional",
            description="An officer of the authority who works cases (officer_id as in GET /cases).",
            operation_id="case_key_worker_allocate")
def key_worker(request, payload: KeyWorkerIn, case_id: int = CaseId):
    case = _case_to_work(request, case_id)
    officer = _pick(case_officers(user=request.auth), payload.officer_id, "officer_id",
                    "Choose an officer of this authority who works cases")
    case = _run(lambda: casework.case_key_worker_allocate(
        actor=request.auth, case=case, officer=officer, role=payload.role, since=payload.since,
    ), {"officer": ("body", "officer_id")})
    return KeyWorkerOut(officer_id=case.key_worker_id, officer=str(case.key_worker),
                        role=case.key_worker_role, since=case.key_worker_since)


class NeedsAssessmentIn(In):
    education_history: Lines = Field("", max_length=5000)
    sen_status: SenCode | Literal[""] = ""
    sen_detail: Lines = Field("", max_length=5000)
    health: Lines = Field("", max_length=5000)
    family_circumstances: Lines = Field("", max_length=5000)
    disengagement_reasons: Lines = Field("", max_length=5000)
    parent_preferences: Lines = Field("", max_length=5000)
    child_preferences: Lines = Field("", max_length=5000)
    recommended_provision: ProvisionCode | Literal[""] = ""
    provision_detail: Lines = Field("", max_length=5000)
    complete: Flag = Field(False, description="Complete it (every section needed); otherwise a draft")
    assessed_on: IsoDate = Field(None, description="When completing; today when left out")


class NeedsAssessmentOut(Schema):
    id: int
    state: ApprovalCode
    state_label: str
    education_history: str
    sen_status: str
    sen_detail: str
    health: str
    family_circumstances: str
    disengagement_reasons: str
    parent_preferences: str
    child_preferences: str
    recommended_provision: str
    provision_detail: str
    assessed_on: date | None
    decision_note: str
    case_stage: str

    @classmethod
    def of(cls, a) -> "NeedsAssessmentOut":
        a.case.refresh_from_db()
        return cls(id=a.pk, state=a.state, state_label=a.get_state_display(),
                   **{k: getattr(a, k) for k in (
                       "education_history", "sen_status", "sen_detail", "health", "family_circumstances",
                       "disengagement_reasons", "parent_preferences", "child_preferences",
                       "recommended_provision", "provision_detail", "assessed_on", "decision_note")},
                   case_stage=a.case.stage)


@router.get("/{case_id}/needs-assessment", response={200: NeedsAssessmentOut, **READ},
            summary="The case's needs assessment (the latest)",
            description="404 when none has been started.",
            operation_id="needs_assessment_read")
def read_needs(request, case_id: int = CaseId):
    case = case_get_for_user(user=request.auth, case_id=case_id)
    current = needs_assessment_current(case=case)
    if current is None:
        raise HttpError(404, "Not Found")
    return NeedsAssessmentOut.of(current)


@router.put("/{case_id}/needs-assessment", response={200: NeedsAssessmentOut, **WRITE_REFUSALS},
            summary="Save or complete the needs assessment",
            description="Completing it determines needs (the case moves to needs determined), or, when the "
                        "authority asks for approval, waits for a manager.",
            operation_id="needs_assessment_save")
def save_needs(request, payload: NeedsAssessmentIn, case_id: int = CaseId):
    case = _case_to_work(request, case_id)
    saved = _run(lambda: casework.needs_assessment_save(actor=request.auth, case=case, **payload.model_dump()))
    return NeedsAssessmentOut.of(saved)


class DecisionIn(In):
    approve: Flag
    note: Lines = Field("", max_length=2000, description="Needed when not approving")


@router.post("/{case_id}/needs-assessment/decision", response={200: NeedsAssessmentOut, **WRITE_REFUSALS},
             summary="Approve or return the needs assessment (managers)",
             description="Approving determines needs (the case moves to needs determined); returning it needs "
                         "a note and lets the officer change it.",
             operation_id="needs_assessment_decide")
def decide_needs(request, payload: DecisionIn, case_id: int = CaseId):
    case = case_get_for_user(user=request.auth, case_id=case_id, require=partial(
        policy.require_manager, message="Only a manager can approve a needs assessment"))
    waiting = case.needs_assessments.filter(state=ApprovalState.AWAITING).first()
    if waiting is None:
        raise service_error(DjangoValidationError({"approve": "No assessment is waiting for approval"}))
    decided = _run(lambda: casework.needs_assessment_decide(
        actor=request.auth, assessment=waiting, approve=payload.approve, note=payload.note))
    return NeedsAssessmentOut.of(decided)


# -- stage and notes ---------------------------------------------------------------------------

# Literals of the choices for pydantic (and the OpenAPI enums); plain strings to mypy.
if TYPE_CHECKING:
    StageCode = str
else:
    StageCode = Literal[tuple(s for s in Stage.values if s != Stage.CLOSED)]


class StageIn(In):
    to_stage: StageCode = Field(description="Forward along the process steps, or back to locating; close with /close")
    note: Lines = Field("", max_length=2000)
    on: IsoDate = Field(None, description="Today when left out; not in the future")
    override_reason: Line = Field("", max_length=500, description=(
        "A manager's reason for moving past a step whose evidence is missing; recorded on the "
        "timeline and audited. Refused for other roles."))


class StageOut(Schema):
    stage: str
    stage_label: str
    allowed_moves: list[str] = Field(description="The stages the case may move to next")


@router.post("/{case_id}/stage", response={200: StageOut, **WRITE_REFUSALS},
             summary="Move the case to another stage",
             description="Refuses with 422 naming `to_stage` a move that is impossible (a closed case must be "
                         "reopened; a case goes back only to locating) or skips a step whose evidence is "
                         "missing (located: a whereabouts record; needs determined: a needs assessment; "
                         "provision identified: a provider; in provision: a start date), saying what is "
                         "missing. \"logged\" is set by the service when the child's record is complete. "
                         "A manager may override with `override_reason`. Who and when are on the timeline.",
             operation_id="case_stage_move")
def move_stage(request, payload: StageIn, case_id: int = CaseId):
    case = _case_to_work(request, case_id)
    case = _run(lambda: register.case_stage_advance(actor=request.auth, case=case, to_stage=payload.to_stage,
                                                    note=payload.note, on=payload.on,
                                                    override_reason=payload.override_reason))
    return StageOut(stage=case.stage, stage_label=case.get_stage_display(),
                    allowed_moves=stages.allowed_moves(case.stage, register.case_stage_facts(case)))


class ProvisionIn(In):
    laestab: Line = Field(max_length=7, description="The provider's LAESTAB (LA code and establishment number)")
    on: IsoDate = Field(None, description="The day the provision was identified; today when left out")
    detail: Lines = Field("", max_length=2000)
    starts_on: IsoDate = Field(None, description="The day the child starts there, when agreed")


@router.post("/{case_id}/provision", response={200: StageOut, **WRITE_REFUSALS},
             summary="Record the provision found for the child, and when the child starts",
             description="Step 7 and 8 of the guide: the provider with a place (any open school or provider in "
                         "the directory) and, once agreed, the start date. The case moves to provision "
                         "identified, accessing provision (a start to come) or in provision (a start that "
                         "has come) when its earlier steps are done.",
             operation_id="case_provision_record")
def record_provision(request, payload: ProvisionIn, case_id: int = CaseId):
    case = _case_to_work(request, case_id)
    provider = provider_by_laestab_for_user(user=request.auth, laestab=payload.laestab)

    def both():
        done = casework.case_provision_identify(actor=request.auth, case=case, provider=provider,
                                                on=payload.on or timezone.localdate(), detail=payload.detail)
        if payload.starts_on is not None:
            done = casework.case_provision_start(actor=request.auth, case=done, starts_on=payload.starts_on)
        return done

    case = _run(lambda: transaction.atomic()(both)())
    return StageOut(stage=case.stage, stage_label=case.get_stage_display(),
                    allowed_moves=stages.allowed_moves(case.stage, register.case_stage_facts(case)))


class NoteIn(In):
    text: Lines = Field(max_length=5000)


class NoteOut(Schema):
    id: int
    text: str
    author: str
    created_at: datetime


@router.post("/{case_id}/notes", response={201: NoteOut, **WRITE_REFUSALS},
             summary="Add a note to the case timeline",
             description="The note appears on the case's timeline with its author and time.",
             operation_id="case_note_add")
def add_note(request, payload: NoteIn, case_id: int = CaseId):
    case = _case_to_work(request, case_id)
    note = _run(lambda: register.case_note_add(actor=request.auth, case=case, text=payload.text))
    return Status(201, NoteOut(id=note.pk, text=note.text, author=str(note.author), created_at=note.created_at))


# -- closing and reopening ---------------------------------------------------------------------

class CloseIn(In):
    outcome: OutcomeCode | Literal[""] = Field(description="Required: a case closes only with an outcome")
    detail: Lines = Field("", max_length=2000)
    on: IsoDate = Field(None, description="Today when left out")


class ClosureOut(Schema):
    closed: bool = Field(description="False when the closure waits for a manager's approval")
    stage: str
    outcome: str | None
    closed_on: date | None
    closure_request_id: int | None = Field(description="The closure waiting for approval, if any")


def _closure(case) -> ClosureOut:
    case.refresh_from_db()
    waiting = closure_request_waiting(case=case)
    return ClosureOut(closed=not case.is_open, stage=case.stage, outcome=case.outcome or None,
                      closed_on=case.closed_on, closure_request_id=waiting.pk if waiting else None)


@router.post("/{case_id}/close", response={200: ClosureOut, **WRITE_REFUSALS},
             summary="Close the case with an outcome",
             description="Where the authority asks a manager to approve closures (CME_CLOSURE_APPROVAL), an "
                         "officer's closure waits for approval and `closed` is false.",
             operation_id="case_close")
def close(request, payload: CloseIn, case_id: int = CaseId):
    case = _case_to_work(request, case_id)
    _run(lambda: casework.case_close_or_request(actor=request.auth, case=case, outcome=payload.outcome,
                                                detail=payload.detail, on=payload.on))
    return _closure(case)


@router.post("/{case_id}/close/decision", response={200: ClosureOut, **WRITE_REFUSALS},
             summary="Approve or refuse closing the case (managers)",
             description="Approving closes the case with the outcome asked for; refusing needs a note.",
             operation_id="case_closure_decide")
def decide_closure(request, payload: DecisionIn, case_id: int = CaseId):
    case = case_get_for_user(user=request.auth, case_id=case_id, require=partial(
        policy.require_manager, message="Only a manager can approve closing a case"))
    waiting = case.closure_requests.filter(state=ClosureState.AWAITING).first()
    if waiting is None:
        raise service_error(DjangoValidationError({"approve": "No closure is waiting for approval"}))
    _run(lambda: casework.case_closure_decide(actor=request.auth, request=waiting, approve=payload.approve,
                                              note=payload.note))
    return _closure(case)


class ReopenIn(In):
    reason: Lines = Field(max_length=2000)


@router.post("/{case_id}/reopen", response={200: ClosureOut, **WRITE_REFUSALS},
             summary="Reopen a closed case",
             description="The reason is required and goes on the timeline; the case reopens at logged.",
             operation_id="case_reopen")
def reopen(request, payload: ReopenIn, case_id: int = CaseId):
    case = _case_to_work(request, case_id)
    _run(lambda: casework.case_reopen(actor=request.auth, case=case, reason=payload.reason))
    return _closure(case)


# -- evidence of joint reasonable enquiries ----------------------------------------------------

class EvidenceIn(In):
    school_id: Id
    ground: GroundCode
    absence_from: Day = Field(description="First day of absence (9(1)(i)) or the day after leave ended (9(1)(h))")
    leave_ended_on: IsoDate = None
    last_attended_on: IsoDate = None
    absence_detail: Lines = Field("", max_length=4000)


class JointEvidenceOut(Schema):
    id: int
    school: str
    school_laestab: str
    ground: GroundCode
    ground_label: str
    absence_from: date
    leave_ended_on: date | None
    last_attended_on: date | None
    school_days_absent: int | None
    absence_detail: str
    enquiries: list[EnquiryOut] = Field(description="Every enquiry on the case, oldest first")
    produced_at: datetime
    printable_url: str


@router.post("/{case_id}/joint-evidence", response={201: JointEvidenceOut, **WRITE_REFUSALS},
             summary="Produce the evidence of joint reasonable enquiries",
             description="For a deletion under ground 9(1)(h) or 9(1)(i) (SI 2024/208). Audited as an export.",
             operation_id="joint_evidence_produce")
def produce_evidence(request, payload: EvidenceIn, case_id: int = CaseId):
    from django.urls import reverse

    case = _case_to_work(request, case_id)
    school = _pick(case_providers(user=request.auth), payload.school_id, "school_id",
                   "Choose a school of this authority")
    ev = _run(lambda: casework.joint_evidence_produce(
        actor=request.auth, case=case, school=school, ground=payload.ground, absence_from=payload.absence_from,
        leave_ended_on=payload.leave_ended_on, last_attended_on=payload.last_attended_on,
        absence_detail=payload.absence_detail,
    ), {"school": ("body", "school_id")})
    return Status(201, JointEvidenceOut(
        id=ev.pk, school=ev.school.name, school_laestab=ev.school.laestab, ground=ev.ground,
        ground_label=ev.get_ground_display(), absence_from=ev.absence_from, leave_ended_on=ev.leave_ended_on,
        last_attended_on=ev.last_attended_on, school_days_absent=ev.school_days_absent,
        absence_detail=ev.absence_detail, enquiries=[EnquiryOut.of(e) for e in case_enquiries(case=case)],
        produced_at=ev.produced_at, printable_url=reverse("cases:evidence", args=[case.pk, ev.pk]),
    ))
