"""The CME register: a case is an episode about a child, moving along the guide's process
steps. Its notes, stage moves and tasks are part of the case's own record."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Category(models.TextChoices):
    MISSING = "missing", "Missing education"
    AT_RISK = "at_risk", "At risk of missing education"
    NOT_CME = "not_cme", "Not CME"


class Reason(models.TextChoices):
    NEVER_STARTED = "never_started", "Never started school"
    EXCLUSION = "exclusion", "Exclusion"
    WITHDRAWAL = "withdrawal", "Withdrawal"
    FAILED_TRANSITION = "failed_transition", "Failed transition"
    MOVED_UNKNOWN = "moved_unknown", "Moved with no known destination"
    OTHER = "other", "Other"


class Stage(models.TextChoices):
    RECEIVED = "received", "Received"
    IDENTIFIED = "identified", "Identified"
    LOGGED = "logged", "Logged"
    LOCATING = "locating", "Locating"
    LOCATED = "located", "Located"
    NEEDS_DETERMINED = "needs_determined", "Needs determined"
    PROVISION_IDENTIFIED = "provision_identified", "Provision identified"
    ACCESSING_PROVISION = "accessing_provision", "Accessing provision"
    IN_PROVISION = "in_provision", "In provision and monitored"
    CLOSED = "closed", "Closed"


STAGE_ORDER = list(Stage.values)


OPEN_STAGES = [s for s in STAGE_ORDER if s != Stage.CLOSED]


class Outcome(models.TextChoices):
    BACK_IN_SCHOOL = "back_in_school", "Back in school"
    ALTERNATIVE_PROVISION = "alternative_provision", "In alternative provision"
    HOME_EDUCATION = "home_education", "Suitable home education"
    MOVED_LA = "moved_la", "Moved to another LA and accepted there"
    LEFT_COUNTRY = "left_country", "Left the country"
    END_OF_CSA = "end_of_csa", "Reached the end of compulsory school age"
    NOT_CME = "not_cme", "Not missing education"
    OTHER = "other", "Other"


class KeyWorkerRole(models.TextChoices):
    KEY_WORKER = "key_worker", "Key worker"
    LEAD_PROFESSIONAL = "lead_professional", "Lead professional"


class Whereabouts(models.TextChoices):
    FOUND = "found", "Found at an address"
    MOVED_LA = "moved_la", "Moved to another LA"
    LEFT_COUNTRY = "left_country", "Left the country"
    NOT_FOUND = "not_found", "Cannot be found"


class Case(models.Model):
    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=20, unique=True)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="cases")
    category = models.CharField(max_length=10, choices=Category.choices, db_index=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    reason_detail = models.TextField(blank=True)
    stage = models.CharField(
        max_length=25, choices=Stage.choices, default=Stage.RECEIVED, db_index=True
    )
    responsible_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_responsible",
    )
    # Key dates the guide names, plus located and closed.
    referred_on = models.DateField(db_index=True)
    assessed_on = models.DateField(null=True, blank=True)
    provision_determined_on = models.DateField(null=True, blank=True)
    moved_into_provision_on = models.DateField(null=True, blank=True)
    located_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=25, choices=Outcome.choices, blank=True)
    outcome_detail = models.TextField(blank=True)
    last_known_provider = models.ForeignKey(
        "providers.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_known_placement = models.CharField(max_length=200, blank=True)
    last_known_placement_on = models.DateField(null=True, blank=True)
    # The provision found for the child (step 7) and the day the child starts there (step 8):
    # what "provision identified" and "in provision" need (stages.entry_problems).
    provision_provider = models.ForeignKey(
        "providers.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provision_starts_on = models.DateField(null=True, blank=True)
    # The key worker or lead professional: the officer who holds the child's plan (issue 5).
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_key_worker",
    )
    key_worker_role = models.CharField(max_length=20, choices=KeyWorkerRole.choices, blank=True)
    key_worker_since = models.DateField(null=True, blank=True)
    # Where the child is as far as the LA knows; blank until a locating result is recorded.
    whereabouts = models.CharField(max_length=20, choices=Whereabouts.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()
    # Who made the change, set before save() for django-simple-history (not a field).
    _history_user: Any
    # The case page's one fetch of each kind of record (register.selectors.case_records_load).
    _records: dict[str, list[Any]]

    class Meta:
        ordering = ["-referred_on", "-id"]
        indexes = [
            models.Index(fields=["la", "stage", "referred_on"]),
            models.Index(fields=["la", "responsible_officer", "stage"]),
            models.Index(fields=["la", "-referred_on", "-id"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED


class CaseNote(models.Model):
    """A free-text entry on the case timeline (a call made, a visit, a decision)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Note on {self.case_id}"


class StageChange(models.Model):
    """Who moved a case from one stage to another, and when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=25, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=25, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class TaskKind(models.TextChoices):
    ESCALATION = "escalation", "Escalation"
    FOLLOW_UP = "follow_up", "Follow-up"


class Task(models.Model):
    """Something an officer must do on a case, by a date. Titles never name a restricted flag:
    every officer who may see the case may see its tasks."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=20, choices=TaskKind.choices, default=TaskKind.FOLLOW_UP)
    title = models.CharField(max_length=200)
    urgent = models.BooleanField(default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-urgent", "due_on", "id"]
        indexes = [models.Index(fields=["assigned_to", "done_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.done_at is None
