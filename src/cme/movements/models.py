"""Roll imports: each replaces a provider's roll as of a date, and records who joined and who left."""

from django.conf import settings
from django.db import models


class SourceKind(models.TextChoices):
    CSV = "csv", "Roll CSV"
    CTF = "ctf", "Common Transfer File"


class RollImport(models.Model):
    provider = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="roll_imports")
    as_of = models.DateField("roll date")
    source_kind = models.CharField(max_length=10, choices=SourceKind.choices)
    file_name = models.CharField(max_length=255, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    pupils = models.PositiveIntegerField(default=0)
    joined = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    new_children = models.PositiveIntegerField(default=0)
    # Pupils matching could not link surely enough: PupilLinkQuestion, for an officer.
    to_identify = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-as_of", "-imported_at"]
        indexes = [models.Index(fields=["provider", "-as_of"])]

    def __str__(self) -> str:
        return f"Roll of {self.provider} as of {self.as_of}"


class ChangeKind(models.TextChoices):
    JOINED = "joined", "Joined"
    LEFT = "left", "Left"


class RollChange(models.Model):
    """A child who joined or left the roll between the previous import and this one."""

    roll_import = models.ForeignKey(RollImport, on_delete=models.CASCADE, related_name="changes")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="roll_changes")
    change = models.CharField(max_length=10, choices=ChangeKind.choices)
    enrolment = models.ForeignKey("providers.Enrolment", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")

    class Meta:
        indexes = [models.Index(fields=["change", "child"])]

    def __str__(self) -> str:
        return f"{self.child_id} {self.change}"


class QuestionStatus(models.TextChoices):
    OPEN = "open", "Waiting for an officer"
    LINKED = "linked", "The child on the register"
    NEW_CHILD = "new_child", "A child new to the register"
    SUPERSEDED = "superseded", "Overtaken by a later roll"


class PupilLinkQuestion(models.Model):
    """A pupil on an imported roll who may be a child already on the register, but not surely
    enough to link: an officer says which. Until then the pupil is on no child's record, rather
    than on a second record of one child or, worse, on a brother's or sister's."""

    roll_import = models.ForeignKey(RollImport, on_delete=models.CASCADE, related_name="link_questions")
    provider = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    row = models.PositiveIntegerField()
    # The pupil as the roll gave it (cme.movements.roll.RollPupil), and the candidates matching
    # found: [{"child_id", "probability", "household"}], most likely first.
    pupil = models.JSONField()
    candidates = models.JSONField(default=list)
    # Enrolments at this provider of candidates who were on its roll: kept open until decided.
    kept_enrolment_ids = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=QuestionStatus.choices, default=QuestionStatus.OPEN)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["la", "status"])]

    def __str__(self) -> str:
        return f"Who is row {self.row} of {self.roll_import}?"
