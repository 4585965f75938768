from django.db import models


class Sequence(models.Model):
    """Named counters for human-readable references (R901-000123), safe under concurrency."""

    name = models.CharField(max_length=40, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class EmailState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    RETRYING = "retrying", "Not sent yet: trying again"
    FAILED = "failed", "Not delivered"


class Email(models.Model):
    """An e-mail the service sends, kept with its delivery state. Sent by a background task
    (core/tasks.py), never inside the request, and tried again when the mail server fails."""

    purpose = models.CharField(max_length=30, help_text="What it is for: escalation, other_la_referral, digest")
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # One file sent with it (the CTF of an e-mail hand-off to another authority).
    attachment_name = models.CharField(max_length=120, blank=True)
    attachment = models.BinaryField(null=True, blank=True)
    attachment_type = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.purpose} e-mail {self.pk} ({self.state})"
