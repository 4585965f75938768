"""The audit trail: who saw or changed what, when and from where. Append-only and hash-chained."""

from django.db import models


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    EXPORT = "export", "Exported"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    IMPORT = "import", "Imported"
    # Someone asked for a record outside their scope (another authority's child, say) and was
    # refused: a security event, which managers see when it happens again and again.
    ACCESS_REFUSED = "access_refused", "Refused access"
    # Records deleted or anonymised at the end of their retention period (cme.dataprotection).
    DISPOSE = "dispose", "Disposed of"


class AppendOnlyQuerySet(models.QuerySet):
    """Audit events cannot be changed or deleted through the application."""

    def update(self, **kwargs):
        raise PermissionError("Audit events cannot be changed.")

    def delete(self):
        raise PermissionError("Audit events cannot be deleted.")

    def bulk_update(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be changed.")


class AuditEvent(models.Model):
    at = models.DateTimeField(db_index=True)
    # Who: kept as text too, so the record survives the account being renamed or removed.
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.DO_NOTHING, null=True, db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    actor_organisation = models.CharField(max_length=200, blank=True)
    actor_organisation_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    # Which record: its kind ("child", "case", "referral", ...) and id; child_id lets a manager
    # ask "who looked at this child" across cases and referrals.
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    child_id = models.BigIntegerField(null=True, db_index=True)
    la_id = models.BigIntegerField(null=True, db_index=True)
    summary = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    via = models.CharField(max_length=10, blank=True)  # web, api, cli
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # How the hash is made (cme.audit.chain): 1 hashes every field; 2 hashes the summary and
    # detail through a digest salted with `salt`, so that they can be redacted at the end of the
    # retention period, the digest kept in `redacted_digest` and the salt blanked.
    hash_version = models.PositiveSmallIntegerField(default=1)
    salt = models.CharField(max_length=32, blank=True)
    redacted_digest = models.CharField(max_length=64, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["la_id", "action", "at"]),
        ]
        constraints = [
            # Every action is one of Action's: the database refuses any other, whoever writes.
            models.CheckConstraint(condition=models.Q(action__in=Action.values), name="audit_action_known"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_username} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")


class ChainHead(models.Model):
    """One row holding the newest hash; locking it serialises appends to the chain."""

    last_hash = models.CharField(max_length=64)
    last_event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.last_hash


class AuditEventChild(models.Model):
    """A child named by a search or export event (its detail lists them by id), so that a manager
    can ask who found a child in a list, not only who opened its page.

    An index beside the chain, not part of it: the event's own detail, which is chained, is the
    record; this table only makes "who searched for this child" one indexed query.
    """

    event = models.ForeignKey(
        AuditEvent, on_delete=models.DO_NOTHING, db_constraint=False, related_name="children"
    )
    child_id = models.BigIntegerField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["child_id", "event"])]

    def __str__(self) -> str:
        return f"event {self.event_id} names child {self.child_id}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")
