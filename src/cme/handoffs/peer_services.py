"""Authority to authority (issue 12, point 4): send a case to a peer's CME Tracker, receive one,
accept or decline it, and hear the answer. Every message is signed and goes through the outbox
(PeerMessage), delivered by a task that retries while the peer is down (docs/adr/0017)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cme.accounts.policy import may_disclose_flags_to_peer, require_caseworker
from cme.attendance.calendar import CalendarRangeError
from cme.attendance.selectors import NoCalendar, school_calendar
from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.cases.register.models import Case, Category, Reason, Task, TaskKind
from cme.cases.register.services import case_open
from cme.core.lawful import lawful_basis
from cme.handoffs import peers, signing
from cme.handoffs.models import (
    HandoffStatus,
    IncomingHandoff,
    OutgoingHandoff,
    PeerMessage,
    SeenNonce,
)
from cme.handoffs.services import case_ctf, lost_pupils_match
from cme.people.models import Child
from cme.providers.models import Organisation, OrgKind

RECEIVE_PATH = "/handoffs/peer/cases"
ANSWER_PATH = "/handoffs/peer/answers"
ANSWER_DAYS = 5  # school days for the answer, unless the authority sets CME_HANDOFF_ANSWER_DAYS


def answer_due(start: dt.date, days: int, *, la_id: int | None = None) -> dt.date:
    """`days` school days after start by the sending authority's term dates. Where it has loaded
    none, or they do not reach that far, weekdays stand in (the page says which)."""
    if la_id is not None:
        try:
            return school_calendar(la_id=la_id).add_school_days(start, days)
        except (NoCalendar, CalendarRangeError):
            pass
    day, left = start, days
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def _payload(*, actor, case: Case, uid: str, to_la_code: str) -> tuple[dict, str, bytes]:
    child = case.child
    name, ctf = case_ctf(case=case, to_la_code=to_la_code)
    provider = case.last_known_provider
    payload = {
        "uid": uid, "from_la": case.la.la_code, "from_la_name": case.la.name, "to_la": to_la_code,
        "case_reference": case.reference,
        "child": {"upn": child.upn, "forename": child.legal_forename, "middle_names": child.legal_middle_names,
                  "surname": child.legal_surname,
                  "dob": child.date_of_birth.isoformat() if child.date_of_birth else "", "sex": child.sex},
        "last_school": {"laestab": provider.laestab if provider else "", "name": provider.name if provider else
                        case.last_known_placement},
        "why_missing": {"category": case.category, "reason": case.reason, "detail": case.reason_detail},
        "flags": [f.flag for f in child.flags.filter(ended_on__isnull=True)] if may_disclose_flags_to_peer(actor) else [],
        "flags_withheld": not may_disclose_flags_to_peer(actor),
        "ctf_name": name, "ctf": base64.b64encode(ctf).decode(),
    }
    return payload, name, ctf


@transaction.atomic
def handoff_send(*, actor, case: Case, to_la_code: str) -> OutgoingHandoff:
    """Send the case to the peer authority in one step: queued now, delivered by the task."""
    require_caseworker(actor)
    if case.la_id != actor.la_id:
        raise ValidationError("This case belongs to another authority")
    if peers.peer(to_la_code) is None:
        raise ValidationError({"to_la_code": "That authority is not a configured peer: use the e-mail hand-off"})
    if peers.private_key(case.la.la_code) is None:
        raise ValidationError("This authority has no signing key configured")
    uid = str(uuid.uuid4())
    payload, name, _ = _payload(actor=actor, case=case, uid=uid, to_la_code=to_la_code)
    days = int(getattr(settings, "CME_HANDOFF_ANSWER_DAYS", ANSWER_DAYS))
    out = OutgoingHandoff.objects.create(uid=uid, la=case.la, case=case, to_la_code=to_la_code, payload=payload,
                                         lawful_basis=lawful_basis("peer_handoff"),
                                         sent_by=actor, due_on=answer_due(timezone.localdate(), days, la_id=case.la_id))
    message = PeerMessage.objects.create(to_la_code=to_la_code, from_la_code=case.la.la_code, path=RECEIVE_PATH,
                                         body=json.dumps(payload), handoff=out)
    audit_record(actor=actor, action=Action.EXPORT, object_type="handoff_out", object_id=out.pk,
                 child_id=case.child_id, la_id=case.la_id,
                 summary=f"Case {case.reference} sent to authority {to_la_code} with CTF {name}",
                 detail={"to": to_la_code, "flags_sent": len(payload["flags"]), "ctf": name,
                         "lawful_basis": out.lawful_basis})
    _enqueue(message)
    return out


def _enqueue(message: PeerMessage, delay: int = 0) -> None:
    from cme.handoffs.tasks import deliver

    def go() -> None:
        if delay:
            deliver.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue(message.pk)
        else:
            deliver.enqueue(message.pk)

    transaction.on_commit(go)


RETRY_DELAYS = (30, 120, 600, 1800, 3600)


def deliver_message(message_id: int, *, post=None) -> bool:
    """Try to deliver one outbox message; on failure keep it, tell the officer and try again later."""
    import httpx

    message = PeerMessage.objects.get(pk=message_id)
    if message.delivered:
        return True
    peer = peers.peer(message.to_la_code)
    key = peers.private_key(message.from_la_code)
    error = ""
    if peer is None or key is None:
        error = "peer or key no longer configured"
    else:
        body = message.body.encode()
        headers = signing.sign(private_key=key, sender=message.from_la_code, method="POST", path=message.path,
                               body=body, now=time.time())
        try:
            response = (post or httpx.post)(peer.url + message.path, content=body, timeout=10,
                                             headers={**headers, "Content-Type": "application/json"})
            if response.status_code == 200:
                error = ""
            else:
                error = f"the peer answered {response.status_code}"
        except httpx.HTTPError as e:
            error = f"the peer could not be reached ({type(e).__name__})"
    with transaction.atomic():
        message = PeerMessage.objects.select_for_update().get(pk=message_id)
        message.attempts += 1
        message.delivered = not error
        message.last_error = error[:200]
        message.save(update_fields=["attempts", "delivered", "last_error"])
        out = message.handoff
        if out is not None:
            out.attempts, out.last_error = message.attempts, message.last_error
            fields = ["attempts", "last_error"]
            if not error and out.status == HandoffStatus.QUEUED:
                out.status, out.delivered_at = HandoffStatus.DELIVERED, timezone.now()
                fields += ["status", "delivered_at"]
            out.save(update_fields=fields)
            if error and message.attempts == 1:  # the officer is told once, and sees each retry on the page
                audit_record(actor=None, action=Action.CHANGE, object_type="handoff_out", object_id=out.pk,
                             child_id=out.case.child_id, la_id=out.la_id,
                             summary=f"Hand-off to authority {out.to_la_code} not delivered yet: {error}; "
                                     "it will be tried again")
                Task.objects.create(case=out.case, kind=TaskKind.FOLLOW_UP, assigned_to=out.sent_by,
                                    due_on=timezone.localdate(),
                                    title=f"Hand-off to authority {out.to_la_code} not delivered yet: "
                                          "it is being tried again (nothing is lost)")
        if error:
            delay = RETRY_DELAYS[min(message.attempts - 1, len(RETRY_DELAYS) - 1)]
            _enqueue(message, delay)
    return not error


def _nonce_is_new(sender: str, nonce: str) -> bool:
    try:
        with transaction.atomic():
            SeenNonce.objects.create(sender=sender, nonce=nonce)
        return True
    except IntegrityError:
        return False


def verify_request(*, headers, path: str, body: bytes) -> str:
    return signing.verify(headers=headers, method="POST", path=path, body=body, peers=peers.public_keys(),
                          now=time.time(), nonce_is_new=_nonce_is_new)


@transaction.atomic
def handoff_receive(*, sender: str, payload: dict) -> IncomingHandoff:
    """A case from a peer, already verified: kept for an officer of the named authority."""
    if payload.get("from_la") != sender:
        raise ValidationError("The payload names another sender")
    la = Organisation.objects.filter(la_code=str(payload.get("to_la", "")), kind=OrgKind.LA).first()
    if la is None or peers.private_key(la.la_code) is None:
        raise ValidationError("No such authority here")
    incoming, created = IncomingHandoff.objects.get_or_create(
        from_la_code=sender, remote_uid=str(payload.get("uid", ""))[:36],
        defaults={"la": la, "payload": payload})
    if created:
        audit_record(actor=None, action=Action.IMPORT, object_type="handoff_in", object_id=incoming.pk, la_id=la.pk,
                     summary=f"Case {payload.get('case_reference', '')} received from authority {sender}",
                     detail={"from": sender, "flags": len(payload.get("flags") or [])})
        c = payload.get("child") or {}
        lost_pupils_match(la_id=la.pk, trigger="ctf", person={
            "upn": c.get("upn", ""), "forename": c.get("forename", ""), "middle_names": c.get("middle_names", ""),
            "surname": c.get("surname", ""), "former_surname": "", "dob": c.get("dob", ""), "sex": c.get("sex", ""),
            "postcode": "", "address": ""})
    return incoming


def _answer(incoming: IncomingHandoff, body: dict) -> None:
    message = PeerMessage.objects.create(to_la_code=incoming.from_la_code, from_la_code=incoming.la.la_code,
                                         path=ANSWER_PATH, body=json.dumps(body))
    _enqueue(message)


@transaction.atomic
def handoff_accept(*, actor, incoming: IncomingHandoff) -> IncomingHandoff:
    """The receiving officer takes the case on: a case opens here, linked to the sender's."""
    require_caseworker(actor)
    if incoming.la_id != actor.la_id:
        raise ValidationError("This hand-off belongs to another authority")
    if incoming.status != HandoffStatus.DELIVERED:
        raise ValidationError("This hand-off has already been answered")
    p = incoming.payload
    c = p.get("child") or {}
    child = Child.objects.create(
        la=incoming.la, legal_forename=c.get("forename", "")[:100], legal_middle_names=c.get("middle_names", "")[:200],
        legal_surname=c.get("surname", "")[:100], upn=c.get("upn", "")[:13], sex=c.get("sex", "")[:1],
        date_of_birth=dt.date.fromisoformat(c["dob"]) if c.get("dob") else None)
    why = p.get("why_missing") or {}
    case = case_open(
        actor=actor, child=child,
        category=str(why.get("category")) if why.get("category") in Category.values else str(Category.values[0]),
        reason=str(why.get("reason")) if why.get("reason") in Reason.values else str(Reason.values[0]),
        reason_detail=f"Handed on by {p.get('from_la_name', '')} (their case {p.get('case_reference', '')}). "
                      + (why.get("detail") or ""),
        referred_on=timezone.localdate(), responsible_officer=actor,
        last_known_placement=((p.get("last_school") or {}).get("name") or "")[:200])
    incoming.status, incoming.case, incoming.decided_by, incoming.decided_at = (
        HandoffStatus.ACCEPTED, case, actor, timezone.now())
    incoming.save(update_fields=["status", "case", "decided_by", "decided_at"])
    audit_record(actor=actor, action=Action.CHANGE, object_type="handoff_in", object_id=incoming.pk,
                 child_id=child.pk, la_id=incoming.la_id,
                 summary=f"Hand-off from authority {incoming.from_la_code} accepted: case {case.reference} opened")
    _answer(incoming, {"uid": incoming.remote_uid, "from_la": incoming.la.la_code, "accepted": True,
                       "reason": "", "case_reference": case.reference})
    return incoming


@transaction.atomic
def handoff_decline(*, actor, incoming: IncomingHandoff, reason: str) -> IncomingHandoff:
    require_caseworker(actor)
    if incoming.la_id != actor.la_id:
        raise ValidationError("This hand-off belongs to another authority")
    if incoming.status != HandoffStatus.DELIVERED:
        raise ValidationError("This hand-off has already been answered")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case is declined"})
    incoming.status, incoming.reason, incoming.decided_by, incoming.decided_at = (
        HandoffStatus.DECLINED, reason.strip(), actor, timezone.now())
    incoming.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit_record(actor=actor, action=Action.CHANGE, object_type="handoff_in", object_id=incoming.pk,
                 la_id=incoming.la_id, summary=f"Hand-off from authority {incoming.from_la_code} declined")
    _answer(incoming, {"uid": incoming.remote_uid, "from_la": incoming.la.la_code, "accepted": False,
                       "reason": incoming.reason, "case_reference": ""})
    return incoming


@transaction.atomic
def handoff_answer_receive(*, sender: str, answer: dict) -> OutgoingHandoff:
    out = OutgoingHandoff.objects.select_for_update().filter(uid=str(answer.get("uid", ""))[:36]).first()
    if out is None or out.to_la_code != sender or answer.get("from_la") != sender:
        raise ValidationError("No such hand-off to that authority")
    if out.status in (HandoffStatus.ACCEPTED, HandoffStatus.DECLINED):
        return out
    out.status = HandoffStatus.ACCEPTED if answer.get("accepted") else HandoffStatus.DECLINED
    out.answer_reason = str(answer.get("reason", ""))[:2000]
    out.answer_case_reference = str(answer.get("case_reference", ""))[:40]
    out.answered_at = timezone.now()
    out.save(update_fields=["status", "answer_reason", "answer_case_reference", "answered_at"])
    audit_record(actor=None, action=Action.IMPORT, object_type="handoff_out", object_id=out.pk,
                 child_id=out.case.child_id, la_id=out.la_id,
                 summary=f"Authority {sender} {out.status} case {out.case.reference}"
                         + (f": {out.answer_reason}" if out.answer_reason else ""))
    return out


def handoffs_escalate_overdue(*, today: dt.date | None = None) -> int:
    """Every hand-off still unanswered past its clock becomes an urgent escalation task for the
    officer who sent it (once; idempotent, run nightly by `cme handoffs-overdue`)."""
    today = today or timezone.localdate()
    count = 0
    for out in OutgoingHandoff.objects.filter(status__in=[HandoffStatus.QUEUED, HandoffStatus.DELIVERED],
                                              due_on__lt=today).select_related("case"):
        title = f"No answer from authority {out.to_la_code} to the hand-off sent {out.created_at:%d %B %Y}"
        if Task.objects.filter(case=out.case, kind=TaskKind.ESCALATION, title=title).exists():
            continue
        with transaction.atomic():
            Task.objects.create(case=out.case, kind=TaskKind.ESCALATION, urgent=True, assigned_to=out.sent_by,
                                due_on=today, title=title)
            audit_record(actor=None, action=Action.CHANGE, object_type="handoff_out", object_id=out.pk,
                         child_id=out.case.child_id, la_id=out.la_id,
                         summary=f"Hand-off to authority {out.to_la_code} unanswered by {out.due_on:%d %B %Y}: escalated")
        count += 1
    return count
