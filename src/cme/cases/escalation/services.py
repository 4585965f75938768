"""Escalation to children's social care and the police. Keyword-only, in a transaction, audited.

Escalation never puts a vulnerability flag, or what an officer wrote about harm, into an e-mail,
a task or an audit summary: those are read by people who may not see restricted detail. The
e-mail says that a child known to children's social care is missing, with a link to the case."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cme.accounts import policy
from cme.accounts.models import User
from cme.audit.models import Action
from cme.cases.escalation.models import Escalation, EscalationReason
from cme.cases.register.models import (
    OPEN_STAGES,
    Case,
    Category,
    Stage,
    StageChange,
    Task,
    TaskKind,
)
from cme.cases.register.services import audit_case
from cme.core.lawful import lawful_basis
from cme.core.mail import email_queue
from cme.people.models import SAFEGUARDING_FLAGS, VulnerabilityFlag
from cme.providers.models import Organisation, OrgKind, PartnerService

logger = logging.getLogger(__name__)


# The services told of an escalation (providers.models.PartnerService), with their names.
SERVICES = {PartnerService.SOCIAL_CARE.value: "Children’s social care", PartnerService.POLICE.value: "Police"}


def _case_url(case: Case) -> str:
    return settings.CME_BASE_URL + reverse("cases:detail", args=[case.pk])


def escalation_recipients(*, la: Organisation) -> list[dict]:
    """Who is told: CME_ESCALATION_EMAILS for the LA's code (and "*" for every LA), then the
    authority's partner agencies whose service is the police or children's social care, at
    their contact e-mail."""
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
    # The authority's agencies by what they are (a typed service), never by what they are called.
    partners = (
        Organisation.objects.filter(la=la, kind=OrgKind.PARTNER_AGENCY, service__in=list(SERVICES))
        .exclude(contact_email="")
    )
    for org in partners.order_by("name", "pk"):
        add(org.service, org.contact_email, org.name)
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
    social care and police contacts, queued when this transaction commits."""
    if reason not in EscalationReason.values:
        raise ValidationError({"reason": "Choose why the case is escalated"})
    case = Case.objects.select_related("la", "responsible_officer").get(pk=case.pk)
    now = timezone.now()
    recipients = escalation_recipients(la=case.la)
    subject, body = _message(case, reason)
    owner = case.responsible_officer or (actor if actor is not None and policy.may_work_cases(actor) else None)
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
        recipients=recipients, subject=subject, body=body, task=task, lawful_basis=lawful_basis("escalation"),
    )
    audit_case(
        actor, case, Action.CHANGE,
        f"Escalated case {case.reference} to social care and police ({len(recipients)} recipients)",
        {"escalation": escalation.pk, "reason": reason, "trigger": trigger,
         "recipients": [r["email"] for r in recipients], "lawful_basis": escalation.lawful_basis},
    )
    if recipients:
        # Sent by the task queue once this transaction commits, tried again if it fails;
        # escalation/receivers.py keeps sent_at and send_error in step with its delivery.
        escalation.email = email_queue(to=[r["email"] for r in recipients], subject=subject, body=body,
                                       purpose="escalation")
        escalation.save(update_fields=["email"])
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
    if not policy.may_work_cases(actor):
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
