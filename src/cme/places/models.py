"""Places (by provider and year group), the alternative provision directory, postcode
coordinates, placement requests, watching a new start, and panels (issue 13)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Postcode(models.Model):
    """A postcode's coordinates (ONS Postcode Directory, or the demo's own file)."""

    postcode = models.CharField(max_length=8, unique=True)  # normalised: upper case, one space
    latitude = models.FloatField()
    longitude = models.FloatField()

    def __str__(self) -> str:
        return self.postcode


class Need(models.TextChoices):
    SEN = "sen", "SEN support"
    EHCP = "ehcp", "Education, health and care plan"
    SEMH = "semh", "Social, emotional and mental health"
    MEDICAL = "medical", "Medical needs"
    NEWLY_ARRIVED = "newly_arrived", "Newly arrived in the country"
    EXCLUDED = "excluded", "After an exclusion"


class ProviderProfile(models.Model):
    """What a provider offers, for the directory of alternative provision (and any provider whose
    year groups or needs met are narrower than its phase says)."""

    provider = models.OneToOneField("providers.Organisation", on_delete=models.CASCADE, related_name="places_profile")
    low_year = models.SmallIntegerField("lowest year group", null=True, blank=True)
    high_year = models.SmallIntegerField("highest year group", null=True, blank=True)
    needs_met = models.CharField(max_length=200, blank=True, help_text="Need codes, comma separated")
    referral_route = models.CharField(max_length=300, blank=True)
    hours_per_week = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    cost_per_week = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    serves_km = models.DecimalField("serves within (km)", max_digits=5, decimal_places=1, null=True, blank=True)
    places_free = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For a provider without year-group figures: places free in any year group it takes")
    places_given_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Profile of {self.provider_id}"

    @property
    def needs(self) -> frozenset[str]:
        return frozenset(n for n in self.needs_met.split(",") if n)

    def needs_labels(self) -> list[str]:
        return [Need(n).label for n in sorted(self.needs) if n in Need.values]


class YearGroupPlaces(models.Model):
    """A provider's places in one year group: its published admission number or capacity, the
    pupils on roll from its last roll import, and the school's own figure when it gave one."""

    provider = models.ForeignKey("providers.Organisation", on_delete=models.CASCADE, related_name="year_places")
    year_group = models.CharField(max_length=4)  # N1, N2, R, 1 to 14
    capacity = models.PositiveSmallIntegerField(help_text="Published admission number or capacity")
    on_roll = models.PositiveIntegerField(default=0)
    roll_counted_at = models.DateTimeField(null=True, blank=True)
    capacity_given_on = models.DateField(null=True, blank=True)
    school_places_free = models.PositiveSmallIntegerField(null=True, blank=True)
    school_given_on = models.DateField(null=True, blank=True)
    school_given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="+")

    class Meta:
        ordering = ["provider_id", "id"]
        constraints = [models.UniqueConstraint(fields=["provider", "year_group"], name="one_figure_per_year_group")]
        indexes = [models.Index(fields=["year_group", "provider"])]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.year_group}"

    @property
    def places_free(self) -> int:
        if self.school_places_free is not None:
            return self.school_places_free
        return max(0, self.capacity - self.on_roll)

    @property
    def figure_date(self):
        """The day the figure in use was given: the school's own, else the roll count's."""
        if self.school_places_free is not None:
            return self.school_given_on
        if self.roll_counted_at is not None:
            return self.roll_counted_at.date()
        return self.capacity_given_on


class RequestKind(models.TextChoices):
    ADMISSION = "admission", "In-year admission application"
    COMMISSION = "commission", "Alternative provision commission"


class RequestState(models.TextChoices):
    WAITING = "waiting", "Waiting for an answer"
    OFFERED = "offered", "Offered"
    REFUSED = "refused", "Refused"
    NO_ANSWER = "no_answer", "No answer"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PlacementRequest(models.Model):
    """The authority asks a provider for a place for the child on a case."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="placement_requests")
    provider = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="placement_requests")
    kind = models.CharField(max_length=20, choices=RequestKind.choices)
    year_group = models.CharField(max_length=4)
    note = models.TextField(blank=True)
    requested_on = models.DateField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=20, choices=RequestState.choices, default=RequestState.WAITING, db_index=True)
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    start_on = models.DateField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    accepted_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-requested_on", "-id"]
        indexes = [models.Index(fields=["provider", "state"]), models.Index(fields=["case", "state"])]

    def __str__(self) -> str:
        return f"Request {self.pk} to {self.provider_id}"


class WatchState(models.TextChoices):
    WATCHING = "watching", "Watching attendance"
    SETTLED = "settled", "Attending: may close"
    STOPPED = "stopped", "Stopped attending"


class ProvisionWatch(models.Model):
    """Attendance at the new provider watched for a number of school days after the start."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="provision_watches")
    provider = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    school_days = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=20, choices=WatchState.choices, default=WatchState.WATCHING)
    days_attended = models.PositiveSmallIntegerField(default=0)
    last_checked_on = models.DateField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    task = models.ForeignKey("cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"Watch {self.pk} on {self.case_id}"


class PanelKind(models.TextChoices):
    FAIR_ACCESS = "fair_access", "Fair Access panel"
    HARD_TO_PLACE = "hard_to_place", "Hard to place panel"
    CME = "cme", "CME panel"


class Panel(models.Model):
    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PanelKind.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PanelMember(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=200)
    represents = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PanelMeeting(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    attendees = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.panel} on {self.held_on}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="panel_items")
    why = models.CharField(max_length=300)
    decision = models.TextField(blank=True)
    # Detail only those who may see restricted detail read (the minutes withhold it from others).
    restricted_notes = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="case_once_per_meeting")]

    def __str__(self) -> str:
        return f"{self.case_id} at {self.meeting_id}"


class PanelAction(models.Model):
    """An action agreed at the panel: it is a task on the case, with an owner and a due date."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="actions")
    task = models.OneToOneField("cases.Task", on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"Action {self.task_id}"
