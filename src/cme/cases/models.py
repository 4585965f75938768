"""The CME register: a case is an episode about a child, moving along the guide's process steps."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Category(models.TextChoices):
    MISSING = "missing", "Missing education"
    AT_RISK = "at_risk", "At risk of missing education"
    NOT_CME = "not_cme", "Not CME"


class Reason(models.TextChoices):
    NEVER_STARTED = "never_started", "Never started school"
    EXCLUSION = "exclusion", "Exclusion"
    WITHDRAWAL = "withdrawal", "Withdrawal"
    FAILED_TRANSITION = "failed_transition", "Failed transition"
    MOVED_UNKNOWN = "moved_unknown", "Moved with no known destination"
    OTHER = "other", "Other"


class Stage(models.TextChoices):
    RECEIVED = "received", "Received"
    IDENTIFIED = "identified", "Identified"
    LOGGED = "logged", "Logged"
    LOCATING = "locating", "Locating"
    LOCATED = "located", "Located"
    NEEDS_DETERMINED = "needs_determined", "Needs determined"
    PROVISION_IDENTIFIED = "provision_identified", "Provision identified"
    ACCESSING_PROVISION = "accessing_provision", "Accessing provision"
    IN_PROVISION = "in_provision", "In provision and monitored"
    CLOSED = "closed", "Closed"


STAGE_ORDER = list(Stage.values)
OPEN_STAGES = [s for s in STAGE_ORDER if s != Stage.CLOSED]


class Outcome(models.TextChoices):
    BACK_IN_SCHOOL = "back_in_school", "Back in school"
    ALTERNATIVE_PROVISION = "alternative_provision", "In alternative provision"
    HOME_EDUCATION = "home_education", "Suitable home education"
    MOVED_LA = "moved_la", "Moved to another LA and accepted there"
    LEFT_COUNTRY = "left_country", "Left the country"
    END_OF_CSA = "end_of_csa", "Reached the end of compulsory school age"
    NOT_CME = "not_cme", "Not missing education"
    OTHER = "other", "Other"


class KeyWorkerRole(models.TextChoices):
    KEY_WORKER = "key_worker", "Key worker"
    LEAD_PROFESSIONAL = "lead_professional", "Lead professional"


class Whereabouts(models.TextChoices):
    FOUND = "found", "Found at an address"
    MOVED_LA = "moved_la", "Moved to another LA"
    LEFT_COUNTRY = "left_country", "Left the country"
    NOT_FOUND = "not_found", "Cannot be found"


class Case(models.Model):
    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=20, unique=True)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="cases")
    category = models.CharField(max_length=10, choices=Category.choices, db_index=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    reason_detail = models.TextField(blank=True)
    stage = models.CharField(
        max_length=25, choices=Stage.choices, default=Stage.RECEIVED, db_index=True
    )
    responsible_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_responsible",
    )
    # Key dates the guide names, plus located and closed.
    referred_on = models.DateField(db_index=True)
    assessed_on = models.DateField(null=True, blank=True)
    provision_determined_on = models.DateField(null=True, blank=True)
    moved_into_provision_on = models.DateField(null=True, blank=True)
    located_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=25, choices=Outcome.choices, blank=True)
    outcome_detail = models.TextField(blank=True)
    last_known_provider = models.ForeignKey(
        "providers.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_known_placement = models.CharField(max_length=200, blank=True)
    last_known_placement_on = models.DateField(null=True, blank=True)
    # The key worker or lead professional: the officer who holds the child's plan (issue 5).
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_key_worker",
    )
    key_worker_role = models.CharField(max_length=20, choices=KeyWorkerRole.choices, blank=True)
    key_worker_since = models.DateField(null=True, blank=True)
    # Where the child is as far as the LA knows; blank until a locating result is recorded.
    whereabouts = models.CharField(max_length=20, choices=Whereabouts.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-referred_on", "-id"]
        indexes = [
            models.Index(fields=["la", "stage", "referred_on"]),
            models.Index(fields=["la", "responsible_officer", "stage"]),
            models.Index(fields=["la", "-referred_on", "-id"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED


class CaseNote(models.Model):
    """A free-text entry on the case timeline (a call made, a visit, a decision)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Note on {self.case_id}"


class StageChange(models.Model):
    """Who moved a case from one stage to another, and when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=25, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=25, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


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

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="other_la_referrals")
    location = models.ForeignKey(
        LocationRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    other_la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    sent_to_name = models.CharField(max_length=120, blank=True)
    sent_to_email = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
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


# -- Work: tasks, escalations and digests (issue 5, points 3, 5 and 6) --------------------------


class TaskKind(models.TextChoices):
    ESCALATION = "escalation", "Escalation"
    FOLLOW_UP = "follow_up", "Follow-up"


class Task(models.Model):
    """Something an officer must do on a case, by a date. Titles never name a restricted flag:
    every officer who may see the case may see its tasks."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=20, choices=TaskKind.choices, default=TaskKind.FOLLOW_UP)
    title = models.CharField(max_length=200)
    urgent = models.BooleanField(default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-urgent", "due_on", "id"]
        indexes = [models.Index(fields=["assigned_to", "done_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.done_at is None


class EscalationReason(models.TextChoices):
    # Worded so that neither says which flag the child has: it is shown to every officer.
    KNOWN_TO_SOCIAL_CARE = "social_care_missing", "A child known to children’s social care is missing"
    SIGNIFICANT_HARM = "significant_harm", "Risk of significant harm recorded"


class Escalation(models.Model):
    """A case escalated to children's social care and the police: why, by whom, when, to whom
    and exactly what was sent."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    reason = models.CharField(max_length=25, choices=EscalationReason.choices)
    # What the officer recording a risk of significant harm wrote: shown only to roles that may
    # see restricted detail, and never e-mailed.
    detail = models.TextField(blank=True)
    # What set it off: triage, a flag added, a category change, or an officer recording harm.
    trigger = models.CharField(max_length=30, blank=True)
    needed_on = models.DateField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField()
    recipients = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sent_at = models.DateTimeField(null=True, blank=True)
    send_error = models.CharField(max_length=300, blank=True)
    task = models.OneToOneField(Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="escalation")

    class Meta:
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"Escalation of {self.case_id} at {self.raised_at}"


class DigestKind(models.TextChoices):
    OFFICER = "officer", "Officer's digest"
    MANAGER = "manager", "Manager's team summary"


class Digest(models.Model):
    """A daily digest sent to one user: one per user, kind and day, so a rerun sends nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=DigestKind.choices)
    on = models.DateField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    items = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "kind", "on"], name="one_digest_per_user_kind_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user_id} on {self.on}"
