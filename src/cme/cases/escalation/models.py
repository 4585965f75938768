"""Escalation of a case to children's social care and the police."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cme.cases.register.models import Case, Task


class EscalationReason(models.TextChoices):
    # Worded so that neither says which flag the child has: it is shown to every officer.
    KNOWN_TO_SOCIAL_CARE = "social_care_missing", "A child known to children’s social care is missing"
    SIGNIFICANT_HARM = "significant_harm", "Risk of significant harm recorded"


class Escalation(models.Model):
    """A case escalated to children's social care and the police: why, by whom, when, to whom
    and exactly what was sent."""

    # Why the law allows this disclosure (cme.core.lawful): stored as said at the time.
    lawful_basis = models.CharField(max_length=400, blank=True)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    reason = models.CharField(max_length=25, choices=EscalationReason.choices)
    # What the officer recording a risk of significant harm wrote: shown only to roles that may
    # see restricted detail, and never e-mailed.
    detail = models.TextField(blank=True)
    # What set it off: triage, a flag added, a category change, or an officer recording harm.
    trigger = models.CharField(max_length=30, blank=True)
    needed_on = models.DateField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField()
    recipients = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # When the e-mail was delivered, and why it was not (kept in step with `email` by
    # escalation/receivers.py after every attempt of the task queue).
    sent_at = models.DateTimeField(null=True, blank=True)
    send_error = models.CharField(max_length=300, blank=True)
    email = models.ForeignKey("core.Email", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    task = models.OneToOneField(Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="escalation")

    class Meta:
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"Escalation of {self.case_id} at {self.raised_at}"
