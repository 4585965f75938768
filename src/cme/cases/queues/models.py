"""Work queues: the daily digest each officer and manager is sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DigestKind(models.TextChoices):
    OFFICER = "officer", "Officer's digest"
    MANAGER = "manager", "Manager's team summary"


class Digest(models.Model):
    """A daily digest sent to one user: one per user, kind and day, so a rerun sends nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=DigestKind.choices)
    on = models.DateField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    items = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField()  # when it was handed to the task queue
    email = models.ForeignKey("core.Email", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "kind", "on"], name="one_digest_per_user_kind_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user_id} on {self.on}"
