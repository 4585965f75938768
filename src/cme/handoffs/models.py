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


class SeenNonce(models.Model):
    """A nonce a peer has used: seen again, the message is a replay and refused."""

    sender = models.CharField(max_length=3)
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sender", "nonce"], name="unique_peer_nonce")]

    def __str__(self) -> str:
        return f"{self.sender} {self.nonce}"


class HandoffStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be delivered"
    DELIVERED = "delivered", "Delivered, waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class OutgoingHandoff(models.Model):
    """A case sent to another authority's CME Tracker (docs/adr/0017)."""

    # Why the law allows this disclosure (cme.core.lawful): stored as said at the time.
    lawful_basis = models.CharField(max_length=400, blank=True)

    uid = models.CharField(max_length=36, unique=True)
    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="handoffs_out")
    to_la_code = models.CharField(max_length=3)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=HandoffStatus.choices, default=HandoffStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    answer_reason = models.TextField(blank=True)
    answer_case_reference = models.CharField(max_length=40, blank=True)
    due_on = models.DateField(null=True, blank=True)  # the answer is due by then, else escalate
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"hand-off {self.uid} to {self.to_la_code} ({self.status})"


class IncomingHandoff(models.Model):
    """A case another authority sent here, for an officer to accept or decline."""

    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    from_la_code = models.CharField(max_length=3)
    remote_uid = models.CharField(max_length=36)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=HandoffStatus.choices, default=HandoffStatus.DELIVERED)
    reason = models.TextField(blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="handoffs_in")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["from_la_code", "remote_uid"], name="unique_incoming_handoff")]
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"hand-off {self.remote_uid} from {self.from_la_code} ({self.status})"


class PeerMessage(models.Model):
    """The outbox: a signed message for a peer, kept until delivered (retried while the peer is down)."""

    to_la_code = models.CharField(max_length=3)
    from_la_code = models.CharField(max_length=3)
    path = models.CharField(max_length=100)
    body = models.TextField()
    handoff = models.ForeignKey(OutgoingHandoff, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    delivered = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"message to {self.to_la_code} {self.path}"
