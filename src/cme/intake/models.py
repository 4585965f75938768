"""Referrals: contacts about a child, kept exactly as given before anyone edits them."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Channel(models.TextChoices):
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    TRUANCY_SWEEP = "sweep", "Truancy sweep"
    ONLINE_PUBLIC = "online_public", "Online form (public)"
    ONLINE_PARTNER = "online_partner", "Online form (partner agency)"
    API = "api", "System (API)"
    IN_PERSON = "in_person", "In person"
    LETTER = "letter", "Letter"


class ReferralStatus(models.TextChoices):
    AWAITING_TRIAGE = "awaiting_triage", "Waiting for triage"
    CASE_OPENED = "case_opened", "Case opened"
    ADDED_TO_CASE = "added_to_case", "Added to an existing case"
    NOT_CME = "not_cme", "Closed: not CME"


class Referral(models.Model):
    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=20, unique=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(db_index=True)
    # Exactly what was given, before anyone edits it. Never changed after creation.
    as_received = models.JSONField()
    # Who sent it: a signed-in user and their organisation, or a member of the public's details.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_by_org = models.ForeignKey(
        "providers.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_email = models.EmailField(blank=True)
    referrer_phone = models.CharField(max_length=40, blank=True)
    # The working copy of the child's details, which officers may correct during triage.
    child_forename = models.CharField(max_length=100, blank=True)
    child_surname = models.CharField(max_length=100, blank=True)
    child_date_of_birth = models.DateField(null=True, blank=True)
    child_sex = models.CharField(max_length=1, blank=True)
    child_upn = models.CharField(max_length=13, blank=True)
    child_address = models.CharField(max_length=300, blank=True)
    child_postcode = models.CharField(max_length=10, blank=True)
    last_known_school = models.CharField(max_length=200, blank=True)
    concerns = models.TextField(blank=True)
    # Triage
    status = models.CharField(
        max_length=20,
        choices=ReferralStatus.choices,
        default=ReferralStatus.AWAITING_TRIAGE,
        db_index=True,
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    history = HistoricalRecords(excluded_fields=["as_received"])

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["la", "status", "received_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def child_name(self) -> str:
        return " ".join(p for p in (self.child_forename, self.child_surname) if p) or "Name not given"
