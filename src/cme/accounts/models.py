"""Users, the organisation each belongs to, and the roles they hold."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    CME_OFFICER = "cme_officer", "CME officer"
    EWO = "ewo", "Education welfare officer / key worker"
    ADMISSIONS = "admissions", "Admissions officer"
    MANAGER = "manager", "Manager"
    SCHOOL = "school", "School user"
    PARTNER = "partner", "Partner-agency referrer"
    ADMINISTRATOR = "administrator", "Administrator"
    # Reads the management figures and the children behind them; changes nothing (issue 14).
    SENIOR_LEADER = "senior_leader", "Senior leader (read only)"


# Roles held by the authority's own staff: they see the authority's children.
LA_STAFF_ROLES = frozenset(
    {Role.CME_OFFICER, Role.EWO, Role.ADMISSIONS, Role.MANAGER, Role.ADMINISTRATOR, Role.SENIOR_LEADER}
)
# Roles that work cases (may be named responsible officer, may triage referrals).
CASEWORK_ROLES = frozenset({Role.CME_OFFICER, Role.EWO, Role.MANAGER})


class User(AbstractUser):
    organisation = models.ForeignKey(
        "providers.Organisation", on_delete=models.PROTECT, related_name="users", null=True
    )
    job_title = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    # Roles are read on nearly every request; cache them on the instance.
    @property
    def roles(self) -> frozenset[str]:
        if not hasattr(self, "_roles_cache"):
            self._roles_cache = frozenset(self.role_grants.values_list("role", flat=True))
        return self._roles_cache

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_la_staff(self) -> bool:
        org = self.organisation
        return bool(org is not None and org.kind == "la" and self.roles & LA_STAFF_ROLES)

    @property
    def la_id(self) -> int | None:
        """The authority whose children this user may see, or None."""
        org = self.organisation
        if org is None:
            return None
        return org.pk if org.kind == "la" else org.la_id

    @property
    def can_see_restricted(self) -> bool:
        return self.is_la_staff and bool(self.roles & set(settings.CME_RESTRICTED_ROLES))

    @property
    def is_manager(self) -> bool:
        return self.is_la_staff and Role.MANAGER in self.roles

    @property
    def can_work_cases(self) -> bool:
        return self.is_la_staff and bool(self.roles & CASEWORK_ROLES)


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_grant_per_role")]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token acting as its user. Only a hash is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… for {self.user}"
