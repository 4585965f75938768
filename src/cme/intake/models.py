"""Referrals: contacts about a child, kept exactly as given before anyone edits them."""

from typing import Any

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
    SCREENING = "screening", "Attendance screening"
    RECONCILIATION = "reconciliation", "Leaver not found again"


class ReferralStatus(models.TextChoices):
    AWAITING_TRIAGE = "awaiting_triage", "Waiting for triage"
    CASE_OPENED = "case_opened", "Case opened"
    ADDED_TO_CASE = "added_to_case", "Added to an existing case"
    NOT_CME = "not_cme", "Closed: not CME"


# The longest concern a referral takes, however it comes in (forms, API): the triage form
# edits the same text, so a longer one could never be saved there again.
CONCERNS_MAX_LENGTH = 5000


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
    # Who made the change, set before save() for django-simple-history (not a field).
    _history_user: Any

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["la", "status", "received_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def child_name(self) -> str:
        return " ".join(p for p in (self.child_forename, self.child_surname) if p) or "Name not given"


class ScreeningRule(models.TextChoices):
    """The rules of cme.attendance.screening, named as the rules file names them."""

    CONTINUOUS_ABSENCE_10 = "continuous_absence_10", "Continuous absence (10 school days)"
    CONTINUOUS_ABSENCE_20 = "continuous_absence_20", "Continuous absence (20 school days)"
    SEVERE_ABSENCE = "severe_absence", "Severe absence"
    PERSISTENT_ABSENCE = "persistent_absence", "Persistent absence"
    NOT_RETURNED_AFTER_LEAVE = "not_returned_after_leave", "Not returned after leave of absence"
    PART_TIME_TIMETABLE = "part_time_timetable", "Part-time timetable"
    REGISTERS_MISSING = "registers_missing", "Registers missing"


class ScreeningFinding(models.Model):
    """A screening rule firing for a child at a provider (or, for registers_missing, a provider).

    Open while the pattern lasts: each run that finds it again moves last_found_on on; the first
    run that no longer finds it sets cleared_on. The at-risk referral it opened stays as it is:
    the officer decides what happens to it.
    """

    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    # Empty for registers_missing, which is about the provider, not a child.
    child = models.ForeignKey(
        "people.Child", on_delete=models.CASCADE, null=True, blank=True, related_name="screening_findings"
    )
    provider = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    # The stay at the provider whose register showed the pattern (for the calendar strip).
    enrolment = models.ForeignKey(
        "providers.Enrolment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rule = models.CharField(max_length=30, choices=ScreeningRule.choices)
    # The engine's words and numbers (dates, sessions, rate), as of last_found_on.
    detail = models.TextField(blank=True)
    evidence = models.JSONField(default=dict)
    # Screened with the stricter thresholds for vulnerable children.
    stricter = models.BooleanField(default=False)
    # The child's year group at the provider when last found, for the list's filter.
    year_group = models.CharField(max_length=4, blank=True)
    first_found_on = models.DateField()
    last_found_on = models.DateField()
    cleared_on = models.DateField(null=True, blank=True, db_index=True)
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="screening_findings"
    )

    class Meta:
        ordering = ["-last_found_on", "id"]
        indexes = [models.Index(fields=["la", "rule", "cleared_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "provider", "rule"],
                condition=models.Q(cleared_on__isnull=True, child__isnull=False),
                name="one_open_finding_per_child_provider_rule",
            ),
            # NULL children are never equal in a unique index: providers need their own.
            models.UniqueConstraint(
                fields=["provider", "rule"],
                condition=models.Q(cleared_on__isnull=True, child__isnull=True),
                name="one_open_finding_per_provider_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} at provider {self.provider_id} for child {self.child_id}"

    @property
    def is_open(self) -> bool:
        return self.cleared_on is None


class ScreeningRun(models.Model):
    """One screening of an authority's registers: nightly, from the command line, or on demand."""

    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pupils_screened = models.PositiveIntegerField(default=0)
    findings_opened = models.PositiveIntegerField(default=0)
    findings_still_open = models.PositiveIntegerField(default=0)
    findings_cleared = models.PositiveIntegerField(default=0)
    referrals_opened = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["la", "finished_at"])]

    def __str__(self) -> str:
        return f"screening of LA {self.la_id} as of {self.as_of}"
