"""Reads of case work, off a case already opened by case_get_for_user (whose visit is audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import Http404

from cme.accounts import policy
from cme.cases.casework.models import ApprovalState, ClosureState, EnquiryKind
from cme.cases.register.models import Case
from cme.cases.register.selectors import case_records
from cme.core.models import EmailState
from cme.providers.models import Organisation
from cme.providers.selectors import la_contacts


@dataclass(frozen=True)
class EnquiryCheck:
    kind: str
    label: str
    enquiries: list

    @property
    def done(self) -> bool:
        return bool(self.enquiries)


def enquiry_checklist(*, case: Case) -> list[EnquiryCheck]:
    """Every kind of reasonable enquiry, with the enquiries of that kind made so far (newest first)."""
    made: dict[str, list] = {}
    enquiries = case_records(case, "enquiries", lambda: case.enquiries.select_related("officer", "joint_with")
                         .order_by("made_on", "id"))
    for enquiry in reversed(enquiries):  # newest first
        made.setdefault(enquiry.kind, []).append(enquiry)
    return [EnquiryCheck(kind, label, made.get(kind, [])) for kind, label in EnquiryKind.choices]


def case_enquiries(*, case: Case) -> list:
    return case_records(case, "enquiries", lambda: case.enquiries.select_related("officer", "recorded_by", "joint_with")
                    .order_by("made_on", "id"))


def case_locations(*, case: Case) -> list:
    return case_records(case, "locations", lambda: case.locations.select_related("address", "other_la", "recorded_by"))


@dataclass(frozen=True)
class LocationView:
    """A result of locating as one person may see it: a refuge address is withheld from roles
    that may not see restricted detail (the policy decides), on the page and in the API alike."""

    pk: int
    whereabouts: str
    whereabouts_label: str
    on: date
    address: str | None  # None when there is none, or it is withheld
    address_withheld: bool
    parental_responsibility: str
    other_la: str | None
    country: str
    detail: str


def case_locations_seen_by(*, user, case: Case) -> list[LocationView]:
    """The case's locating results, newest first, redacted for this person."""
    views = []
    for loc in case_locations(case=case):
        shown = loc.address is not None and policy.may_see_address(user, loc.address)
        views.append(LocationView(
            pk=loc.pk, whereabouts=loc.whereabouts, whereabouts_label=loc.get_whereabouts_display(),
            on=loc.on, address=str(loc.address) if shown else None,
            address_withheld=loc.address is not None and not shown,
            parental_responsibility=loc.parental_responsibility,
            other_la=str(loc.other_la) if loc.other_la_id else None, country=loc.country, detail=loc.detail,
        ))
    return views


def delivery_words(email) -> str:
    """Where an e-mail is, in words, for the timeline."""
    if email is None:
        return "sent"
    if email.state == EmailState.SENT:
        return "sent"
    if email.state == EmailState.FAILED:
        return f"not delivered ({email.last_error})"
    if email.state == EmailState.RETRYING:
        return f"not sent yet, trying again ({email.last_error})"
    return "queued to send"


def case_other_la_referrals(*, case: Case) -> list:
    return case_records(case, "other_la_referrals", lambda: case.other_la_referrals.select_related("other_la", "sent_by", "email"))


def needs_assessment_current(*, case: Case):
    """The latest needs assessment of the case (draft, awaiting, returned or final), or None."""
    found = case_records(case, "needs_assessments",
                     lambda: case.needs_assessments.select_related("assessed_by", "decided_by"))
    return found[0] if found else None


def case_joint_evidence(*, case: Case) -> list:
    return case_records(case, "joint_evidence", lambda: case.joint_evidence.select_related("school", "produced_by"))


def closure_request_waiting(*, case: Case):
    waiting = [c for c in case_records(case, "closure_requests",
                                   lambda: case.closure_requests.select_related("requested_by", "decided_by"))
               if c.state == ClosureState.AWAITING]
    return waiting[0] if waiting else None


def joint_evidence_get(*, case: Case, evidence_id: int):
    found = case.joint_evidence.select_related("school", "produced_by").filter(pk=evidence_id).first()
    if found is None:
        raise Http404("No such evidence")
    return found


def other_la_directory(*, user) -> list[Organisation]:
    return list(la_contacts(user=user))


def casework_timeline_items(case: Case) -> list[dict]:
    """The timeline entries of enquiries, locating, other-LA referrals, needs assessments,
    closure approvals and joint-enquiry evidence."""
    items: list[dict] = []
    for e in case_enquiries(case=case):
        text = f"On {e.made_on:%-d %B %Y} by {e.officer}. {e.outcome}"
        if e.next_step:
            text += f"\nNext step: {e.next_step}"
        items.append({"at": e.created_at, "kind": "enquiry", "title": f"Enquiry: {e.get_kind_display()}",
                      "by": e.recorded_by, "text": text})
    for loc in case_locations(case=case):
        title = {
            "found": "Child found",
            "moved_la": f"Moved to {loc.other_la}" if loc.other_la_id else "Moved to another LA",
            "left_country": f"Left the country{': ' + loc.country if loc.country else ''}",
            "not_found": "Child cannot be found",
        }[loc.whereabouts]
        text = f"On {loc.on:%-d %B %Y}."
        if loc.parental_responsibility:
            text += f" Parental responsibility: {loc.parental_responsibility}."
        if loc.detail:
            text += f"\n{loc.detail}"
        items.append({"at": loc.created_at, "kind": "location", "title": title, "by": loc.recorded_by, "text": text})
    for r in case_other_la_referrals(case=case):
        items.append({"at": r.sent_at, "kind": "other_la", "title": f"Referred to {r.other_la}",
                      "by": r.sent_by, "text": f"E-mail to {r.sent_to_name or r.sent_to_email} <{r.sent_to_email}>: "
                      + delivery_words(r.email)
                      + (f"\nAccepted on {r.accepted_on:%-d %B %Y}" if r.accepted_on else "")})
    for a in case_records(case, "needs_assessments",
                      lambda: case.needs_assessments.select_related("assessed_by", "decided_by")):
        if a.assessed_on and a.state != ApprovalState.DRAFT:
            items.append({"at": a.updated_at if not a.decided_at else a.decided_at, "kind": "assessment",
                          "title": f"Needs assessment {a.get_state_display().lower()}",
                          "by": a.decided_by or a.assessed_by,
                          "text": f"Recommended provision: {a.get_recommended_provision_display()}"
                          + (f"\n{a.decision_note}" if a.decision_note else "")})
    for c in case_records(case, "closure_requests",
                      lambda: case.closure_requests.select_related("requested_by", "decided_by")):
        items.append({"at": c.requested_at, "kind": "closure", "title": "Closure sent for a manager’s approval",
                      "by": c.requested_by, "text": f"Outcome: {c.get_outcome_display()}. {c.detail}".strip()})
        if c.state != ClosureState.AWAITING and c.decided_at:
            items.append({"at": c.decided_at, "kind": "closure",
                          "title": f"Closure {c.get_state_display().lower()}", "by": c.decided_by,
                          "text": c.decision_note})
    for ev in case_joint_evidence(case=case):
        items.append({"at": ev.produced_at, "kind": "evidence",
                      "title": f"Evidence of joint reasonable enquiries produced ({ev.ground})",
                      "by": ev.produced_by, "text": f"For {ev.school}"})
    return items
