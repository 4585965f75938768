"""What the matching adapter keeps in the database: the index's version per authority and the
changes since. (The officers' decisions about candidates are cme.identify's.)"""

import uuid

from django.db import models


class IndexState(models.Model):
    """One row per authority. Every change to its children bumps `version` (in the changing
    transaction, so versions are in commit order); each web process compares it with the version
    of the index it holds and applies the changes since. `token` changes when the row is made
    anew, so a process never mistakes another database's version for its own."""

    la = models.OneToOneField("providers.Organisation", on_delete=models.CASCADE, related_name="+")
    token = models.UUIDField(default=uuid.uuid4)
    version = models.BigIntegerField(default=0)
    # Changes up to here have been deleted: a process holding an older index rebuilds it.
    pruned_through = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"matching index of {self.la_id} at version {self.version}"


class IndexChange(models.Model):
    """A child (or, after a roll import, a provider's whole roll) that changed at `version`."""

    la = models.ForeignKey("providers.Organisation", on_delete=models.CASCADE, related_name="+")
    version = models.BigIntegerField()
    child_id = models.BigIntegerField(null=True, blank=True)
    provider_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["la", "version"])]

    def __str__(self) -> str:
        return f"change {self.version} of {self.la_id}"


class Placement(models.TextChoices):
    ON_ROLL = "on_roll", "On roll"
    HOME_EDUCATION = "home_education", "On the home-education list"
    REGISTER_ONLY = "register_only", "Only on the register"
