from django.conf import settings
from django.db import models


class Rating(models.TextChoices):
    """The guide's Annex B ratings (the issue says "exceeded"; the guide says Embedded)."""

    WORKING_TOWARDS = "W", "Working towards: discussed, with a plan"
    ACHIEVED = "A", "Achieved: the authority can show evidence"
    EMBEDDED = "E", "Embedded: in place for a time and reviewed"


class SelfEvaluationAnswer(models.Model):
    """The authority's own answer to one Annex B question for one academic year, kept year by
    year so that progress shows."""

    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    academic_year = models.PositiveSmallIntegerField(help_text="the year the academic year starts")
    question = models.CharField(max_length=40)
    rating = models.CharField(max_length=1, choices=Rating.choices, blank=True)
    note = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["la", "academic_year", "question"],
                                               name="one_answer_per_question_year")]

    def __str__(self) -> str:
        return f"{self.academic_year}: {self.question} {self.rating}"
