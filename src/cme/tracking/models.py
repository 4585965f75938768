"""Deletion returns, new-entry returns and the leavers they are reconciled against."""

from __future__ import annotations

from django.conf import settings
from django.db import models

# SI 2024/208 reg 9(1) grounds (shared/reference/data-standards.md §5), in plain words.
GROUND_LABELS = {
    "a": "(a) registered at another school",
    "b": "(b) nursery pupil not continuing into reception",
    "c": "(c) dual registration ended: attends the other school",
    "d": "(d) school attendance order amended to name another school",
    "e": "(e) school attendance order revoked: educated otherwise",
    "f": "(f) parent gave written notice of education otherwise than at school",
    "g": "(g) no longer lives within reasonable distance of the school",
    "h": "(h) not back 10 school days after a leave of absence; joint enquiries failed",
    "i": "(i) 20 school days' continuous unauthorised absence; joint enquiries failed",
    "j": "(j) detained under a sentence of detention",
    "k": "(k) died",
    "l": "(l) will cease to be of compulsory school age",
    "m": "(m) boarder whose boarding fees are unpaid",
    "n": "(n) ceased to be a pupil of an independent or non-maintained special school",
    "o": "(o) permanently excluded",
}
# SI 2006/1751 reg 8(1) grounds of older records, read as the 2024 ground (data-standards.md §5.2).
# (a)-(f) are verified; 8(1)(a) covers both 9(1)(d) and (e) and is read as (d). The letters
# (g)-(o) are [unverified] in the reference, so they are not mapped: an older record with one of
# them needs its 2024 ground given as well.
GROUNDS_2006 = {"a": "d", "b": "a", "c": "c", "d": "f", "e": "g", "f": "h"}


class Source(models.TextChoices):
    WEB = "web", "Web form"
    API = "api", "API"
    CSV = "csv", "CSV upload"
    ROLL = "roll", "Roll import"


class DeletionReturn(models.Model):
    """A school telling the LA it took a pupil of compulsory school age off its admission
    register (reg 13), with what the data could not confirm flagged for the officer."""

    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey("providers.Enrolment", on_delete=models.PROTECT, related_name="deletion_returns")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    deleted_on = models.DateField()
    ground = models.CharField(max_length=1)
    ground_2006 = models.CharField("ground as given under the 2006 regulations", max_length=2, blank=True)
    destination = models.CharField("next school's LAESTAB", max_length=7, blank=True)
    destination_detail = models.CharField("next school or new address, as given", max_length=300, blank=True)
    notice_received = models.BooleanField("written notice of home education received", null=True)
    other_registration = models.CharField("the other school the child is registered at", max_length=200, blank=True)
    exclusion_on = models.DateField("date of the permanent exclusion", null=True, blank=True)
    flags = models.JSONField(default=list)  # [{"code": ..., "message": ...}] for the officer
    premature = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-deleted_on", "-id"]
        indexes = [models.Index(fields=["la", "deleted_on"]), models.Index(fields=["provider", "deleted_on"])]

    def __str__(self) -> str:
        return f"Deletion of {self.child_id} from {self.provider_id} on {self.deleted_on}"

    @property
    def ground_label(self) -> str:
        return GROUND_LABELS.get(self.ground, self.ground)


class NewEntry(models.Model):
    """A pupil newly admitted to a school of the LA (a new-entry return, or a joiner at a roll
    import), with the likely match the service found among the LA's unreconciled leavers, its
    CME cases and its home-education list, for an officer to confirm."""

    class MatchState(models.TextChoices):
        NONE = "none", "No likely match"
        TO_CONFIRM = "to_confirm", "Likely match to confirm"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Not the same child"

    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey("providers.Enrolment", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    person = models.JSONField()  # as given: the `cme link` person columns
    entry_date = models.DateField()
    source = models.CharField(max_length=10, choices=Source.choices)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    match_state = models.CharField(max_length=12, choices=MatchState.choices, default=MatchState.NONE)
    matched_leaver = models.ForeignKey("tracking.Leaver", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="new_entries")
    matched_case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    matched_child = models.ForeignKey("people.Child", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+")
    probability = models.FloatField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-entry_date", "-id"]
        indexes = [models.Index(fields=["la", "match_state"])]

    def __str__(self) -> str:
        return f"New entry at {self.provider_id} on {self.entry_date}"


class LeaverStatus(models.TextChoices):
    UNRECONCILED = "unreconciled", "Not found again"
    ON_ROLL = "on_roll", "On another roll"
    HOME_EDUCATION = "home_education", "Home educated"
    TRANSFERRED_OUT = "transferred_out", "Moved to a school in another authority"
    EXEMPT = "exempt", "Needs no tracking"


class LeaverMatch(models.TextChoices):
    NONE = "", "None"
    TO_CONFIRM = "to_confirm", "Possible match to confirm"
    CONFIRMED = "confirmed", "Confirmed by an officer"


class Leaver(models.Model):
    """A pupil who left a roll of the LA, tracked until found again (issue 11, point 3). One per
    ended enrolment, kept current by the reconciliation run (`cme reconcile-leavers`)."""

    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    enrolment = models.OneToOneField("providers.Enrolment", on_delete=models.CASCADE, related_name="leaver")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    leaving_date = models.DateField()
    ground = models.CharField(max_length=1, blank=True)
    destination = models.CharField(max_length=7, blank=True)
    status = models.CharField(max_length=16, choices=LeaverStatus.choices, default=LeaverStatus.UNRECONCILED)
    found_at = models.CharField(max_length=200, blank=True)
    school_days = models.IntegerField(null=True, blank=True)
    checked_on = models.DateField()
    referral = models.ForeignKey("intake.Referral", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    # A record found by matching alone (no UPN, no exact agreement) is put to an officer, as a new
    # entry's likely match is: a twin given a second spelling of the leaver's name looks just like
    # the leaver's own record under that spelling, and taking it would leave a missing child
    # marked found. Until confirmed, the leaver stays not found (and is referred after the grace
    # period). What the officer decided holds over every later run.
    match_state = models.CharField(max_length=12, choices=LeaverMatch.choices, default=LeaverMatch.NONE, blank=True)
    found_enrolment = models.ForeignKey("providers.Enrolment", on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+")
    probability = models.FloatField(null=True, blank=True)
    rejected = models.JSONField(default=list, blank=True)  # enrolment ids an officer said are not this child
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["leaving_date", "id"]
        indexes = [models.Index(fields=["la", "status", "leaving_date"])]

    def __str__(self) -> str:
        return f"Leaver {self.child_id} from {self.provider_id} on {self.leaving_date}"
