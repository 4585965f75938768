"""The peer endpoints (signed, no session): another authority's CME Tracker posts cases and answers here."""

import json
import logging

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.handoffs import peer_services, signing

log = logging.getLogger(__name__)
MAX_BODY = 2 * 1024 * 1024


def _verified(request: HttpRequest, path: str) -> tuple[str, dict]:
    body = request.body
    if len(body) > MAX_BODY:
        raise signing.Refused("too large")
    sender = peer_services.verify_request(headers=request.headers, path=path, body=body)
    try:
        data = json.loads(body)
    except ValueError:
        raise signing.Refused("not JSON") from None
    if not isinstance(data, dict):
        raise signing.Refused("not a JSON object")
    return sender, data


def _refused(request: HttpRequest, reason: str) -> JsonResponse:
    audit_record(actor=None, action=Action.ACCESS_REFUSED, object_type="peer_message",
                 summary=f"A message from a peer was refused: {reason}",
                 detail={"sender": request.headers.get("X-CME-Sender", "")[:10], "reason": reason})
    return JsonResponse({"refused": reason}, status=403)


@csrf_exempt
@login_not_required
@require_POST
def receive_case(request: HttpRequest) -> JsonResponse:
    try:
        sender, payload = _verified(request, peer_services.RECEIVE_PATH)
        incoming = peer_services.handoff_receive(sender=sender, payload=payload)
    except signing.Refused as e:
        return _refused(request, e.reason)
    except ValidationError as e:
        return JsonResponse({"refused": "; ".join(e.messages)}, status=400)
    return JsonResponse({"received": incoming.remote_uid})


@csrf_exempt
@login_not_required
@require_POST
def receive_answer(request: HttpRequest) -> JsonResponse:
    try:
        sender, answer = _verified(request, peer_services.ANSWER_PATH)
        out = peer_services.handoff_answer_receive(sender=sender, answer=answer)
    except signing.Refused as e:
        return _refused(request, e.reason)
    except ValidationError as e:
        return JsonResponse({"refused": "; ".join(e.messages)}, status=400)
    return JsonResponse({"status": out.status})
