"""Case work: the enquiries that locate a child, where the child was found, the referral to
another authority, the needs assessment, closure with approval, and the evidence of joint
reasonable enquiries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from cme.cases.register.models import Case, Outcome, Whereabouts


class EnquiryKind(models.TextChoices):
    """The enquiries that together make "reasonable enquiries" (CME guidance 2024, regs 2024/208)."""

    HOME_VISIT = "home_visit", "Home visit"
    PHONE = "phone", "Phone call"
    LETTER = "letter", "Letter"
    RELATIVES = "relatives", "Relatives"
    NEIGHBOURS = "neighbours", "Neighbours"
    LANDLORD_HOUSING = "landlord_housing", "Landlord or housing"
    SCHOOL_LAST_ATTENDED = "school_last_attended", "School last attended"
    SIBLINGS_SCHOOLS = "siblings_schools", "Siblings’ schools"
    HEALTH = "health", "Health or GP registration"
    SOCIAL_CARE = "social_care", "Social care"
    POLICE = "police", "Police"
    BENEFITS = "benefits", "Benefits agencies"
    OTHER_LA = "other_la", "Named CME contact of another LA"
    LOST_PUPILS = "lost_pupils", "Lost pupil records"
    SCHOOL_TO_SCHOOL = "school_to_school", "School-to-school transfer records"


class Enquiry(models.Model):
    """One enquiry made to find a child: who made it, when, what came of it, what next."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="enquiries")
    kind = models.CharField(max_length=25, choices=EnquiryKind.choices)
    made_on = models.DateField()
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.TextField()
    next_step = models.TextField(blank=True)
    # The school that made this enquiry with the LA (joint enquiries for grounds 9(1)(h)/(i)).
    joint_with = models.ForeignKey(
        "providers.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-made_on", "-id"]
        verbose_name_plural = "enquiries"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.made_on}"


class LocationRecord(models.Model):
    """A result of locating: found at an address, moved to another LA, left the country, not found."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="locations")
    whereabouts = models.CharField(max_length=20, choices=Whereabouts.choices)
    on = models.DateField()
    address = models.ForeignKey(
        "people.Address", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    parental_responsibility = models.CharField(max_length=200, blank=True)
    other_la = models.ForeignKey(
        "providers.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    country = models.CharField(max_length=100, blank=True)
    detail = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_whereabouts_display()} on {self.on}"


class OtherLaReferral(models.Model):
    """What was sent to another LA's named CME contact, and when; its answer when it comes."""

    # Why the law allows this disclosure (cme.core.lawful): stored as said at the time.
    lawful_basis = models.CharField(max_length=400, blank=True)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="other_la_referrals")
    location = models.ForeignKey(
        LocationRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    other_la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    sent_to_name = models.CharField(max_length=120, blank=True)
    sent_to_email = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sent_at = models.DateTimeField()  # when it was handed to the task queue
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The e-mail and its delivery state (queued, sent, retrying, not delivered).
    email = models.ForeignKey("core.Email", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    accepted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"Referral to {self.other_la_id} at {self.sent_at}"


class SenStatus(models.TextChoices):
    NONE = "none", "No special educational needs known"
    SEN_SUPPORT = "sen_support", "SEN support"
    EHCP = "ehcp", "Education, health and care plan (EHCP)"
    ASSESSMENT = "assessment", "EHC needs assessment requested or under way"
    UNKNOWN = "unknown", "Not known"


class ProvisionKind(models.TextChoices):
    MAINSTREAM = "mainstream", "Mainstream school"
    SPECIAL = "special", "Special school"
    PRU = "pru", "Pupil referral unit (PRU)"
    ALTERNATIVE = "alternative", "Alternative provision"
    COLLEGE = "college", "College"
    HOME_EDUCATION = "home_education", "Home education judged suitable"


class ApprovalState(models.TextChoices):
    DRAFT = "draft", "Draft"
    NOT_NEEDED = "not_needed", "Complete (no approval needed)"
    AWAITING = "awaiting", "Awaiting manager approval"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned for changes"


class NeedsAssessment(models.Model):
    """The assessment that determines what a located child needs to get back into education."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="needs_assessments")
    education_history = models.TextField(blank=True)
    sen_status = models.CharField(max_length=20, choices=SenStatus.choices, blank=True)
    sen_detail = models.TextField(blank=True)
    health = models.TextField(blank=True)
    family_circumstances = models.TextField(blank=True)
    disengagement_reasons = models.TextField(blank=True)
    parent_preferences = models.TextField(blank=True)
    child_preferences = models.TextField(blank=True)
    recommended_provision = models.CharField(
        max_length=20, choices=ProvisionKind.choices, blank=True
    )
    provision_detail = models.TextField(blank=True)
    state = models.CharField(
        max_length=20, choices=ApprovalState.choices, default=ApprovalState.DRAFT
    )
    assessed_on = models.DateField(null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()
    # Who made the change, set before save() for django-simple-history (not a field).
    _history_user: Any

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Needs assessment {self.pk} on {self.case_id}"


class ClosureState(models.TextChoices):
    AWAITING = "awaiting", "Awaiting manager approval"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class ClosureRequest(models.Model):
    """A request to close a case, where the LA asks a manager to approve closures."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closure_requests")
    outcome = models.CharField(max_length=25, choices=Outcome.choices)
    detail = models.TextField(blank=True)
    closing_on = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(
        max_length=20, choices=ClosureState.choices, default=ClosureState.AWAITING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Closure request {self.pk} on {self.case_id}"


class DeletionGround(models.TextChoices):
    LEAVE_NOT_BACK = "9(1)(h)", "9(1)(h): not back within 10 school days after leave of absence"
    CONTINUOUS_ABSENCE = "9(1)(i)", "9(1)(i): continuously absent for 20 school days"


class JointEnquiryEvidence(models.Model):
    """Evidence that a school and the LA jointly made reasonable enquiries (SI 2024/208 reg 9(1)(h)/(i))."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="joint_evidence")
    school = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    ground = models.CharField(max_length=10, choices=DeletionGround.choices)
    # The absence facts: the last day attended, when leave ended (h) or absence began (i).
    last_attended_on = models.DateField(null=True, blank=True)
    leave_ended_on = models.DateField(null=True, blank=True)
    absence_from = models.DateField()
    school_days_absent = models.PositiveSmallIntegerField(null=True, blank=True)
    absence_detail = models.TextField(blank=True)
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    produced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-produced_at", "-id"]

    def __str__(self) -> str:
        return f"Joint enquiries evidence {self.pk} on {self.case_id}"
