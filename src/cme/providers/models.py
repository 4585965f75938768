"""Organisations (the LA, schools and other providers, partner agencies, other LAs) and rolls."""

from django.db import models


class OrgKind(models.TextChoices):
    LA = "la", "Local authority"
    SCHOOL = "school", "School"
    PRU = "pru", "Pupil referral unit"
    ALTERNATIVE_PROVISION = "ap", "Alternative provision"
    FE_COLLEGE = "fe", "Further education college"
    INDEPENDENT_SCHOOL = "independent", "Independent school"
    HOME_EDUCATION = "home_education", "Educated at home"
    PARTNER_AGENCY = "partner", "Partner agency"
    OTHER_LA = "other_la", "Other local authority"


PROVIDER_KINDS = frozenset(
    {
        OrgKind.SCHOOL,
        OrgKind.PRU,
        OrgKind.ALTERNATIVE_PROVISION,
        OrgKind.FE_COLLEGE,
        OrgKind.INDEPENDENT_SCHOOL,
        OrgKind.HOME_EDUCATION,
    }
)


class Phase(models.TextChoices):
    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    MIDDLE = "middle", "Middle"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all_through", "All-through"
    SPECIAL = "special", "Special"
    SIXTEEN_PLUS = "16_plus", "16 plus"
    NOT_APPLICABLE = "", "Not applicable"


class Status(models.TextChoices):
    """An establishment's status as Get Information About Schools gives it."""

    OPEN = "open", "Open"
    OPEN_PROPOSED_TO_CLOSE = "open_proposed_to_close", "Open, but proposed to close"
    PROPOSED_TO_OPEN = "proposed_to_open", "Proposed to open"
    CLOSED = "closed", "Closed"


class PartnerService(models.TextChoices):
    """What a partner agency is, so that rules choose agencies by what they do, never by name
    (escalation tells children's social care and the police)."""

    POLICE = "police", "Police"
    SOCIAL_CARE = "social_care", "Children’s social care"
    HEALTH = "health", "Health"
    HOUSING = "housing", "Housing"
    OTHER = "other", "Other"


# Statuses under which a provider may have pupils on roll today.
OPEN_STATUSES = frozenset({Status.OPEN, Status.OPEN_PROPOSED_TO_CLOSE})


class Organisation(models.Model):
    kind = models.CharField(max_length=20, choices=OrgKind.choices, db_index=True)
    name = models.CharField(max_length=200)
    # The authority this organisation sits in (a school's maintaining or home LA, a partner's
    # area). Null for an LA itself.
    la = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    la_code = models.CharField("LA code", max_length=3, blank=True, db_index=True)
    estab = models.CharField("establishment number", max_length=4, blank=True)
    urn = models.CharField("URN", max_length=6, blank=True)
    phase = models.CharField(max_length=20, choices=Phase.choices, blank=True)
    statutory_low_age = models.PositiveSmallIntegerField(null=True, blank=True)
    statutory_high_age = models.PositiveSmallIntegerField(null=True, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    is_open = models.BooleanField(default=True)
    # The directory: what GIAS says the establishment is. is_open follows status.
    type_of_establishment = models.CharField(
        "type of establishment", max_length=100, blank=True,
        help_text="As Get Information About Schools names it, e.g. Academy converter",
    )
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.OPEN)
    open_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    from_gias = models.BooleanField("from GIAS", default=False)
    gias_updated_at = models.DateTimeField("last updated from GIAS", null=True, blank=True)
    # What a partner agency is (blank for other kinds of organisation).
    service = models.CharField(max_length=20, choices=PartnerService.choices, blank=True, db_index=True)
    # The named CME contact (for an LA) or the referral contact (for an agency).
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["la", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["la_code", "estab"],
                condition=~models.Q(estab=""),
                name="unique_laestab",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def laestab(self) -> str:
        return f"{self.la_code}{self.estab}" if self.la_code and self.estab else ""

    @property
    def is_provider(self) -> bool:
        return self.kind in PROVIDER_KINDS


class Enrolment(models.Model):
    """A child on a provider's roll: one row per stay at the provider."""

    child = models.ForeignKey("people.Child", on_delete=models.CASCADE, related_name="enrolments")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="enrolments")
    entry_date = models.DateField()
    leaving_date = models.DateField(null=True, blank=True)
    year_group = models.CharField(max_length=4, blank=True)
    upn = models.CharField("UPN on this roll", max_length=13, blank=True)
    # CBDS enrolment status as the roll gave it (C single, M main dual, S subsidiary dual...).
    enrolment_status = models.CharField(max_length=2, blank=True)

    class Meta:
        ordering = ["-entry_date"]
        indexes = [
            models.Index(fields=["provider", "leaving_date"]),
            models.Index(fields=["child", "leaving_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} at {self.provider}"

    @property
    def is_current(self) -> bool:
        return self.leaving_date is None
