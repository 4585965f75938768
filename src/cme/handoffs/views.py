"""The peer endpoints (signed, no session): another authority's CME Tracker posts cases and answers here."""

import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from cme.accounts import policy
from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.cases.register.selectors import cases_visible_to
from cme.handoffs import peer_services, selectors, services, signing

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


# ---- the officer's pages ------------------------------------------------------------------------




@require_GET
def lost_pupils(request: HttpRequest) -> HttpResponse:
    policy.require_la_staff(request.user, "Only council staff can see lost pupils")
    return render(request, "handoffs/lost.html", {
        "rows": selectors.lost_pupils_visible_to(request.user).filter(status="lost")[:500],
        "matches": selectors.lost_matches_open(request.user)[:200],
        "can_work": policy.may_work_cases(request.user)})


@require_POST
def lost_pupil_ctf(request: HttpRequest, lost_id: int) -> HttpResponse:
    lost = selectors.lost_pupil_get_for_user(user=request.user, lost_id=lost_id, require=policy.require_caseworker)
    try:
        name, data = services.lost_pupil_ctf(actor=request.user, lost=lost)
    except ValidationError as e:
        messages.error(request, "; ".join(e.messages))
        return redirect("handoffs:lost")
    response = HttpResponse(data, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def lost_match_decide(request: HttpRequest, match_id: int) -> HttpResponse:
    match = selectors.lost_match_get_for_user(user=request.user, match_id=match_id, require=policy.require_caseworker)
    same = request.POST.get("decision") == "confirm"
    try:
        services.lost_match_decide(actor=request.user, match=match, same_child=same)
    except ValidationError as e:
        messages.error(request, "; ".join(e.messages))
    else:
        messages.success(request, "Lost pupil found again" if same else "Match rejected")
    return redirect("handoffs:lost")


@require_GET
def handoffs(request: HttpRequest) -> HttpResponse:
    policy.require_la_staff(request.user, "Only council staff can see hand-offs")
    names = selectors.peer_names(request.user)
    return render(request, "handoffs/handoffs.html", {
        "outgoing": selectors.outgoing_visible_to(request.user)[:200],
        "incoming": selectors.incoming_waiting(request.user)[:200],
        "peers": sorted(names.items(), key=lambda item: item[1]), "peer_names": names,
        "case_reference": request.GET.get("case", "")[:40],
        "can_work": policy.may_work_cases(request.user)})


@require_POST
def handoff_send(request: HttpRequest) -> HttpResponse:
    policy.require_caseworker(request.user)
    case = cases_visible_to(request.user).filter(reference=request.POST.get("case_reference", "").strip()).first()
    if case is None:
        messages.error(request, "Enter the reference of one of your authority's cases")
        return redirect("handoffs:handoffs")
    try:
        peer_services.handoff_send(actor=request.user, case=case, to_la_code=request.POST.get("to_la_code", ""))
    except ValidationError as e:
        messages.error(request, "; ".join(e.messages))
    else:
        messages.success(request, f"Case {case.reference} is being sent")
    return redirect("handoffs:handoffs")


@require_POST
def handoff_answer(request: HttpRequest, incoming_id: int) -> HttpResponse:
    incoming = selectors.incoming_get_for_user(user=request.user, incoming_id=incoming_id,
                                               require=policy.require_caseworker)
    try:
        if request.POST.get("decision") == "accept":
            peer_services.handoff_accept(actor=request.user, incoming=incoming)
            messages.success(request, "Hand-off accepted: a case is open")
        else:
            peer_services.handoff_decline(actor=request.user, incoming=incoming,
                                          reason=request.POST.get("reason", "")[:2000])
            messages.success(request, "Hand-off declined")
    except ValidationError as e:
        messages.error(request, "; ".join(e.messages))
    return redirect("handoffs:handoffs")
