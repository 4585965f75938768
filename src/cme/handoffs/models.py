from django.conf import settings
from django.db import models


class LostPupil(models.Model):
    """A pupil who left a school of the authority for somewhere unknown: the authority's own
    lost-pupil store, from which the officer writes the lost-pupil CTF (destination XXXXXXX)."""

    class Status(models.TextChoices):
        LOST = "lost", "Destination unknown"
        FOUND = "found", "Found again"

    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="lost_records")
    leaving_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=10, blank=True)  # the leaver signal's source: web, api, csv, roll
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.LOST)
    ctf_file_name = models.CharField(max_length=64, blank=True)
    ctf_written_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["la", "child", "leaving_date"], name="unique_lost_pupil")]
        ordering = ["-leaving_date", "-id"]

    def __str__(self) -> str:
        return f"lost pupil {self.child_id} (left {self.leaving_date})"


class LostPupilMatch(models.Model):
    """A new entry (or a pupil in an incoming CTF) that matching thinks may be a lost pupil: put to
    the officer, who confirms or rejects it. Never taken on its own."""

    class Status(models.TextChoices):
        OPEN = "open", "To confirm"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Not the same child"

    lost = models.ForeignKey(LostPupil, on_delete=models.CASCADE, related_name="matches")
    trigger = models.CharField(max_length=10)  # "new entry" sources (web, api, csv, roll) or "ctf"
    provider = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    person = models.JSONField()  # the cme link person columns of the pupil found
    entry_date = models.DateField(null=True, blank=True)
    probability = models.FloatField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"possible match for lost pupil {self.lost_id} ({self.status})"


class CtfCounter(models.Model):
    """The last `nnn` used for CTF files from one source to one destination (s2s naming)."""

    source = models.CharField(max_length=7)
    destination = models.CharField(max_length=7)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "destination"], name="unique_ctf_counter")]

    def __str__(self) -> str:
        return f"{self.source} to {self.destination}: {self.last:03d}"
