"""Children on the register, with their names, addresses, carers and vulnerabilities."""

from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "", "Not known"


class Child(models.Model):
    # The authority responsible for the child; its staff, and only they, see the child.
    la = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    legal_forename = models.CharField(max_length=100)
    legal_middle_names = models.CharField(max_length=200, blank=True)
    legal_surname = models.CharField(max_length=100, db_index=True)
    date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    upn = models.CharField("UPN", max_length=13, blank=True, db_index=True)
    uln = models.CharField("ULN", max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()
    # Who made the change, set before save() for django-simple-history (not a field).
    _history_user: Any

    class Meta:
        ordering = ["legal_surname", "legal_forename"]
        verbose_name_plural = "children"
        indexes = [models.Index(fields=["la", "legal_surname", "legal_forename"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.legal_forename, self.legal_surname) if p)

    @property
    def upn_is_temporary(self) -> bool:
        return bool(self.upn) and self.upn[-1].isalpha()


class NameKind(models.TextChoices):
    PREFERRED = "preferred", "Preferred name"
    FORMER = "former", "Former name"


class ChildName(models.Model):
    """A preferred or former name, with the dates it was used."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=10, choices=NameKind.choices)
    forename = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    used_from = models.DateField(null=True, blank=True)
    used_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "-used_from"]

    def __str__(self) -> str:
        return f"{self.forename} {self.surname}".strip()


class FormerUPN(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="former_upns")
    upn = models.CharField("UPN", max_length=13, db_index=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.upn


class Address(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="addresses")
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    lived_from = models.DateField(null=True, blank=True)
    lived_to = models.DateField(null=True, blank=True)
    # A refuge address is restricted: only roles allowed to see restricted detail see it.
    is_refuge = models.BooleanField(default=False)

    class Meta:
        ordering = ["lived_to", "-lived_from"]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line1, self.line2, self.town, self.postcode) if p)

    @property
    def is_current(self) -> bool:
        return self.lived_to is None


class CarerContact(models.Model):
    """A parent, carer or other contact of the child."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=60, blank=True)
    parental_responsibility = models.BooleanField(default=False)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    lives_with_child = models.BooleanField(default=True)

    class Meta:
        ordering = ["-parental_responsibility", "name"]

    def __str__(self) -> str:
        return self.name


class Vulnerability(models.TextChoices):
    LOOKED_AFTER = "looked_after", "Looked after"
    CHILD_PROTECTION = "child_protection", "Child protection plan"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    SEN_EHCP = "sen_ehcp", "EHCP or SEN support"
    YOUNG_CARER = "young_carer", "Young carer"
    GRT = "grt", "Gypsy, Roma or Traveller"
    ASYLUM_REFUGEE = "asylum_refugee", "Asylum seeker or refugee"
    REFUGE = "refuge", "Living in a refuge"
    HOMELESS = "homeless", "Homeless or in temporary accommodation"
    YOUNG_OFFENDER = "young_offender", "Young offender"
    EXCLUDED = "excluded", "Excluded"
    TRANSIENT = "transient", "Transient family"
    TEENAGE_PARENT = "teenage_parent", "Teenage parent"
    MEDICAL_EMOTIONAL = "medical_emotional", "Long-term medical or emotional needs"


# Flags whose detail is restricted: the page shows that something is withheld.
RESTRICTED_FLAGS = frozenset({Vulnerability.CHILD_PROTECTION, Vulnerability.REFUGE})
# Flags for which a missing child is escalated at once (issue 5) and screened more strictly.
SAFEGUARDING_FLAGS = frozenset(
    {Vulnerability.LOOKED_AFTER, Vulnerability.CHILD_PROTECTION, Vulnerability.CHILD_IN_NEED}
)


class VulnerabilityFlag(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="flags")
    flag = models.CharField(max_length=30, choices=Vulnerability.choices)
    detail = models.TextField(blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["flag"]
        indexes = [models.Index(fields=["flag", "ended_on"])]

    def __str__(self) -> str:
        return self.get_flag_display()

    @property
    def is_restricted(self) -> bool:
        return self.flag in RESTRICTED_FLAGS

    @property
    def is_current(self) -> bool:
        return self.ended_on is None
