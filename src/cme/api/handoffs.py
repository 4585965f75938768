"""Hand-offs for systems (issue 12): the authority's lost pupils, their lost-pupil CTF, and the
cases sent to and from other authorities. The same services and selectors as the pages."""

from __future__ import annotations

import base64
from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Field, Router, Schema

from cme.accounts import policy
from cme.api.errors import service_error
from cme.api.schemas import BadInput, Refusal
from cme.handoffs import selectors, services

router = Router(tags=["Hand-offs"])


class LostPupilOut(Schema):
    id: int
    child_id: int
    school: str
    leaving_date: date | None
    status: str
    ctf_file_name: str


class LostCtfOut(Schema):
    file_name: str = Field(description="s2s name: <LA>LLLL_CTF_XXXXXXX_<nnn>.xml")
    content_base64: str = Field(description="The CTF 25 file, base64")


class HandoffOut(Schema):
    id: int
    case: str
    to_la_code: str
    status: str
    due_on: date | None
    answer_reason: str
    answer_case_reference: str
    attempts: int
    last_error: str


@router.get("/lost-pupils", response={200: list[LostPupilOut], 401: Refusal, 403: Refusal, 422: BadInput},
            summary="The authority's lost pupils (leavers with no known destination)", operation_id="lost_pupils_list",
            description="Pupils who left a roll of the authority with no known destination, newest first; "
                        "status lost (still unknown) or found (a new entry confirmed as the same child).")
def lost_pupils(request):
    user = request.auth
    policy.require_la_staff(user, "Only council staff can see lost pupils")
    return [LostPupilOut(id=r.pk, child_id=r.child_id, school=r.provider.name if r.provider else "",
                         leaving_date=r.leaving_date, status=r.status, ctf_file_name=r.ctf_file_name)
            for r in selectors.lost_pupils_visible_to(user)[:1000]]


@router.post("/lost-pupils/{lost_id}/ctf", response={200: LostCtfOut, 401: Refusal, 403: Refusal, 404: Refusal, 422: BadInput},
             summary="Write the lost-pupil CTF (destination XXXXXXX) for School to School",
             operation_id="lost_pupil_ctf",
             description="A CTF 25 file with this one pupil, destination XXX/XXXX, ready to upload to School to "
                         "School; nnn counts up per destination. Refuge addresses are never written.")
def lost_pupil_ctf(request, lost_id: int):
    user = request.auth
    lost = selectors.lost_pupil_get_for_user(user=user, lost_id=lost_id, require=policy.require_caseworker)
    try:
        name, data = services.lost_pupil_ctf(actor=user, lost=lost)
    except DjangoValidationError as e:
        raise service_error(e) from None
    return LostCtfOut(file_name=name, content_base64=base64.b64encode(data).decode())


@router.get("/handoffs", response={200: list[HandoffOut], 401: Refusal, 403: Refusal, 422: BadInput},
            summary="Cases sent to other authorities, with their answer and clock", operation_id="handoffs_list",
            description="Each case sent to another authority's CME Tracker: queued (retrying while the peer is "
                        "down), delivered (answer due by due_on, escalated after), accepted or declined with a reason.")
def handoffs(request):
    user = request.auth
    policy.require_la_staff(user, "Only council staff can see hand-offs")
    return [HandoffOut(id=o.pk, case=o.case.reference, to_la_code=o.to_la_code, status=o.status, due_on=o.due_on,
                       answer_reason=o.answer_reason, answer_case_reference=o.answer_case_reference,
                       attempts=o.attempts, last_error=o.last_error)
            for o in selectors.outgoing_visible_to(user)[:1000]]
