"""Reads of a case's escalations: what an officer wrote about harm only for those who may see it."""

from __future__ import annotations

from dataclasses import dataclass

from cme.accounts import policy
from cme.cases.escalation.models import Escalation
from cme.cases.register.models import Case
from cme.cases.register.selectors import case_records


@dataclass
class EscalationView:
    escalation: Escalation
    detail: str | None  # None for roles that may not see restricted detail (the policy decides)
    detail_withheld: bool


def case_escalation_records(case: Case) -> list[Escalation]:
    return case_records(case, "escalations",
                    lambda: case.escalations.select_related("raised_by", "email").order_by("-raised_at", "-id"))


def case_escalations(*, user, case: Case) -> list[EscalationView]:
    """The case's escalations; what an officer wrote about the harm only for those who may see it."""
    rows = case_escalation_records(case)
    show = policy.may_see_harm_detail(user)
    return [EscalationView(e, e.detail if show else None, bool(e.detail) and not show) for e in rows]


def escalation_timeline_items(*, case: Case) -> list[dict]:
    """Escalations for the case timeline: the reason (which never names a flag) and to whom."""
    items = []
    for e in case_escalation_records(case):
        who = ", ".join(f"{r['service_label']} ({r['email']})" for r in e.recipients) or "nobody: no contacts are set up"
        items.append({
            "at": e.raised_at,
            "kind": "escalation",
            "title": f"Escalated: {e.get_reason_display().lower()}",
            "by": e.raised_by,
            "text": f"Sent to {who}." + (f"\nNot delivered: {e.send_error}" if e.send_error else ""),
        })
    return items
