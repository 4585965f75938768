"""Reads of the provider directory, scoped to the user.

Staff of an authority see the providers of their authority; a school or other provider's user sees
only their own organisation; anyone else sees none. The directory holds no child's details, so
reading it is not audited; the roll (who is on it) is read through cme.movements.selectors.
"""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from cme.accounts.models import Role
from cme.audit.services import audit_access_refused
from cme.providers.identifiers import split_laestab
from cme.providers.models import PROVIDER_KINDS, Organisation


def providers_visible_to(user) -> QuerySet[Organisation]:
    if not user.is_authenticated or not user.organisation_id:
        return Organisation.objects.none()
    if user.is_la_staff:
        return Organisation.objects.filter(la_id=user.organisation_id, kind__in=PROVIDER_KINDS)
    if user.has_role(Role.SCHOOL) and user.organisation.is_provider:
        return Organisation.objects.filter(pk=user.organisation_id)
    return Organisation.objects.none()


def provider_directory(*, user, kind: str = "", phase: str = "", status: str = "", query: str = "") -> QuerySet:
    """The directory with its filters, each provider with its current roll count."""
    from cme.providers.models import Enrolment

    qs = providers_visible_to(user)
    if kind:
        qs = qs.filter(kind=kind)
    if phase:
        qs = qs.filter(phase=phase)
    if status:
        qs = qs.filter(status=status)
    query = (query or "").strip()
    if query:
        digits = query.replace(" ", "").replace("/", "")
        match = Q(name__icontains=query) | Q(postcode__iexact=query) | Q(type_of_establishment__icontains=query)
        if digits.isdigit() and len(digits) == 6:
            match |= Q(urn=digits)
        if digits.isdigit() and len(digits) == 7:
            la_code, estab = split_laestab(digits)
            match |= Q(la_code=la_code, estab=estab)
        if digits.isdigit() and len(digits) == 4:
            match |= Q(estab=digits)
        qs = qs.filter(match)
    on_roll = (
        Enrolment.objects.filter(provider=OuterRef("pk"), leaving_date__isnull=True)
        .order_by().values("provider").annotate(n=Count("pk")).values("n")
    )
    return qs.annotate(on_roll=Subquery(on_roll)).order_by("name", "pk")


def provider_get_for_user(*, user, provider_id: int) -> Organisation:
    provider = providers_visible_to(user).select_related("la").filter(pk=provider_id).first()
    if provider is None:
        audit_access_refused(actor=user, object_type="provider", object_id=provider_id,
                             owner=Organisation.objects.filter(pk=provider_id, kind__in=PROVIDER_KINDS))
        raise Http404("No such provider")
    return provider


def provider_by_laestab_for_user(*, user, laestab: str) -> Organisation:
    la_code, estab = split_laestab(laestab)
    if not (la_code and estab):
        raise Http404("No such provider")
    provider = providers_visible_to(user).filter(la_code=la_code, estab=estab).first()
    if provider is None:
        audit_access_refused(actor=user, object_type="provider", object_id=laestab,
                             owner=Organisation.objects.filter(la_code=la_code, estab=estab, kind__in=PROVIDER_KINDS))
        raise Http404("No such provider")
    return provider


def current_roll_count(provider: Organisation) -> int:
    return provider.enrolments.filter(leaving_date__isnull=True).count()


def la_contacts_visible_to(user) -> QuerySet[Organisation]:
    """The authority's directory of other LAs and their named CME contacts (its own staff only)."""
    from cme.providers.models import OrgKind

    if not user.is_authenticated or not user.is_la_staff:
        return Organisation.objects.none()
    return Organisation.objects.filter(la_id=user.organisation_id, kind=OrgKind.OTHER_LA)


def la_contacts(*, user, query: str = "") -> QuerySet[Organisation]:
    qs = la_contacts_visible_to(user)
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(la_code=query) | Q(contact_name__icontains=query))
    return qs.order_by("name", "pk")


def la_contact_get_for_user(*, user, organisation_id: int) -> Organisation:
    found = la_contacts_visible_to(user).filter(pk=organisation_id).first()
    if found is None:
        from cme.providers.models import OrgKind

        audit_access_refused(actor=user, object_type="la_contact", object_id=organisation_id,
                             owner=Organisation.objects.filter(pk=organisation_id, kind=OrgKind.OTHER_LA))
        raise Http404("No such authority")
    return found
