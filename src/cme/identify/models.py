"""The officers' decisions about who a referred child is: nothing is ever merged automatically."""

from django.conf import settings
from django.db import models

from cme.matching.models import Placement


class Decision(models.TextChoices):
    CONFIRMED = "confirmed", "This is the child"
    REJECTED = "rejected", "Not this child"
    NONE = "none", "The child is none of them: on no roll"


class MatchDecision(models.Model):
    """An officer's word on a candidate for a referral. Nothing is ever merged automatically:
    this records the judgement, with what the officer saw when making it."""

    referral = models.ForeignKey("intake.Referral", on_delete=models.CASCADE, related_name="match_decisions")
    child = models.ForeignKey(
        "people.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    probability = models.FloatField(null=True, blank=True)
    # The field-by-field evidence as shown, and where the child was at the time.
    explanation = models.JSONField(default=list, blank=True)
    placement = models.CharField(max_length=20, choices=Placement.choices, blank=True)
    providers = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "id"]
        # Moved from the matching app (issue 9's floors): the table kept its name.
        db_table = "matching_matchdecision"

    def __str__(self) -> str:
        return f"{self.get_decision_display()} for {self.referral_id}"
