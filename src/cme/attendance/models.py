"""School calendar and attendance registers, as stored.

Term dates: one CalendarPeriod per row of a term-dates file (see cme.attendance.calendar), for
the LA or for one provider whose dates differ. CalendarVersion is bumped on every change so that
each process can keep its SchoolCalendar in memory and rebuild it only when it is stale.

Registers: one RegisterYear per enrolment per academic year, holding the session marks as bytes
(codes.encode: one byte per session, AM then PM, two per calendar day from start_date, `-` where
there is no session). A year of a 250,000-pupil LA is then about 100 MB, not 90 million rows.
A mark that replaces another (an N later given its reason) leaves a RegisterMarkChange.
"""

from django.conf import settings
from django.db import models

from cme.attendance import calendar


class PeriodKind(models.TextChoices):
    # Half-terms are written as separate "term" rows; the gaps between them are the holidays.
    TERM = "term", "Term (or half-term)"
    INSET = "inset", "INSET day"
    CLOSURE = "closure", "Planned closure"


assert tuple(PeriodKind.values) == calendar.KINDS


class CalendarPeriod(models.Model):
    la = models.ForeignKey("providers.Organisation", on_delete=models.CASCADE,
                           related_name="calendar_periods")
    # Empty for the LA's own calendar; a provider whose dates differ otherwise.
    provider = models.ForeignKey("providers.Organisation", on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="own_calendar_periods")
    academic_year = models.PositiveSmallIntegerField(help_text="year the academic year starts")
    kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    start = models.DateField()
    end = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["start", "kind"]
        indexes = [models.Index(fields=["la", "provider", "academic_year"])]
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                              name="calendar_period_end_after_start")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start} to {self.end}"


class CalendarVersion(models.Model):
    """Bumped on every term-dates import, so cached calendars know they are stale."""

    la = models.OneToOneField("providers.Organisation", on_delete=models.CASCADE,
                              related_name="calendar_version")
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"calendar version {self.version} of LA {self.la_id}"


class ImportKind(models.TextChoices):
    CSV = "csv", "School information system CSV"
    CTF = "ctf", "Common transfer file"


class RegisterImport(models.Model):
    """One register file loaded, with what it changed."""

    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    # The provider the uploader sent for (a school user), empty when LA staff loaded any provider.
    provider = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    kind = models.CharField(max_length=3, choices=ImportKind.choices)
    filename = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    rows_read = models.PositiveIntegerField(default=0)
    marks_added = models.PositiveIntegerField(default=0)
    marks_changed = models.PositiveIntegerField(default=0)
    marks_unchanged = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename} at {self.at:%Y-%m-%d %H:%M}"


class RegisterYear(models.Model):
    """A pupil's marks at one provider for one academic year."""

    enrolment = models.ForeignKey("providers.Enrolment", on_delete=models.CASCADE,
                                  related_name="register_years")
    # Copied from the enrolment so that screening an LA, or asking when a provider last sent
    # marks, reads one table.
    provider = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT,
                                 related_name="register_years")
    academic_year = models.PositiveSmallIntegerField(help_text="year the academic year starts")
    start_date = models.DateField()
    marks = models.BinaryField()
    # The latest day with a mark that is not "-", so that "registers missing" needs no marks.
    last_marked = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "academic_year"],
                                               name="one_register_per_enrolment_year")]
        indexes = [models.Index(fields=["provider", "academic_year"])]

    def __str__(self) -> str:
        return f"register {self.academic_year} of enrolment {self.enrolment_id}"


class Session(models.TextChoices):
    AM = "AM", "Morning"
    PM = "PM", "Afternoon"


class RegisterMarkChange(models.Model):
    """A mark replaced by a later file: the earlier one is kept here."""

    register = models.ForeignKey(RegisterYear, on_delete=models.CASCADE, related_name="changes")
    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    old_code = models.CharField(max_length=2)
    new_code = models.CharField(max_length=2)
    register_import = models.ForeignKey(RegisterImport, on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "session", "at"]
        indexes = [models.Index(fields=["register", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.session}: {self.old_code} to {self.new_code}"


class UploadState(models.TextChoices):
    QUEUED = "queued", "Waiting to be loaded"
    RUNNING = "running", "Loading"
    DONE = "done", "Loaded"
    REJECTED = "rejected", "Not loaded: the file has problems"
    FAILED = "failed", "Not loaded: the service failed"


class RegisterUpload(models.Model):
    """A register file uploaded on the page, kept on disk and loaded by the task queue (a 200 MB
    file is never read into memory inside the request), with its progress for the page."""

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", help_text="set when a school loads its own registers")
    filename = models.CharField(max_length=255)
    path = models.CharField(max_length=500, help_text="the staged file, removed once loaded")
    size = models.BigIntegerField()
    state = models.CharField(max_length=10, choices=UploadState.choices, default=UploadState.QUEUED)
    done = models.PositiveIntegerField(default=0, help_text="rows of the file read so far")
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    register_import = models.ForeignKey(RegisterImport, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in (UploadState.DONE, UploadState.REJECTED, UploadState.FAILED)
