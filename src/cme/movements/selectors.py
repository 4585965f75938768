"""Reads of rolls and roll imports, scoped to the user; reading who is on a roll is audited."""

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from cme.accounts import policy
from cme.audit.models import Action
from cme.audit.services import audit_access_refused, audit_record
from cme.movements.ctf import Ctf
from cme.movements.models import RollChange, RollImport
from cme.people.models import Child
from cme.people.selectors import children_visible_to
from cme.providers.identifiers import PSEUDO_ESTABS, PSEUDO_LA_CODES
from cme.providers.models import PROVIDER_KINDS, Enrolment, Organisation
from cme.providers.selectors import providers_visible_to


def can_import_roll(user, provider: Organisation) -> bool:
    """LA staff for their authority's providers; a school user for their own organisation only."""
    return policy.may_import_roll(user, provider)


def provider_page_roll(user, provider: Organisation) -> dict:
    """The provider page's roll part (registered with providers' hook): the last import, and
    whether this person may upload a new roll."""
    return {"last_import": last_roll_import(provider), "can_import": can_import_roll(user, provider)}


def roll_imports_for(*, user, provider: Organisation, limit: int = 20) -> list[RollImport]:
    if not providers_visible_to(user).filter(pk=provider.pk).exists():
        raise Http404("No such provider")
    return list(RollImport.objects.filter(provider=provider).select_related("imported_by")[:limit])


def last_roll_import(provider: Organisation) -> RollImport | None:
    return RollImport.objects.filter(provider=provider).select_related("imported_by").first()


def ctf_roll_problem(ctf: Ctf, provider: Organisation) -> str | None:
    """Why a CTF is not this provider's roll, or None when it is: the one rule for the upload
    page and the API (the command line picks the provider from the file instead)."""
    found = provider_for_ctf(ctf)
    if found is not None and found.pk == provider.pk:
        return None
    h = ctf.header
    return (f"This CTF is not a roll of {provider.name}: it comes from {h.source.lea}/{h.source.estab} "
            f"and goes to {h.dest.lea}/{h.dest.estab}")


def roll_import_get_for_user(*, user, import_id: int) -> RollImport:
    record = (
        RollImport.objects.filter(provider__in=providers_visible_to(user))
        .select_related("provider", "imported_by").filter(pk=import_id).first()
    )
    if record is None:
        audit_access_refused(actor=user, object_type="roll_import", object_id=import_id,
                             owner=RollImport.objects.filter(pk=import_id), la_field="provider__la_id")
        raise Http404("No such roll import")
    return record


def roll_import_changes(*, user, record: RollImport) -> dict[str, list[Child]]:
    """Who joined and who left in this import, as children the user may see; audited."""
    if user.is_la_staff:
        visible = children_visible_to(user)
    else:
        # The record is the school's own (roll_import_get_for_user): it sees who joined and who
        # left its roll, though leavers are no longer its pupils.
        visible = Child.objects.filter(roll_changes__roll_import=record)
    with transaction.atomic():
        changes = list(
            RollChange.objects.filter(roll_import=record, child__in=visible).select_related("child")
            .order_by("child__legal_surname", "child__legal_forename")
        )
        out: dict[str, list[Child]] = {"joined": [], "left": []}
        for c in changes:
            out[c.change].append(c.child)
        audit_record(
            actor=user, action=Action.SEARCH, object_type="roll", object_id=record.pk,
            la_id=record.provider.la_id,
            summary=f"Viewed who joined and left the roll of {record.provider.name}",
            child_ids=[c.child_id for c in changes],
        )
    return out


def roll_pupils(*, user, provider: Organisation, page: int = 1, per_page: int = 50) -> tuple[list[Child], int]:
    """The provider's current pupils that the user may see, with the total; audited."""
    if not providers_visible_to(user).filter(pk=provider.pk).exists():
        raise Http404("No such provider")
    on_roll = Enrolment.objects.filter(child=OuterRef("pk"), provider=provider, leaving_date__isnull=True)
    qs: QuerySet[Child] = children_visible_to(user).filter(Exists(on_roll))
    page = max(page, 1)
    with transaction.atomic():
        total = qs.count()
        rows = list(qs.order_by("legal_surname", "legal_forename", "id")[(page - 1) * per_page: page * per_page])
        audit_record(
            actor=user, action=Action.SEARCH, object_type="roll", object_id=provider.pk,
            la_id=provider.la_id, summary=f"Listed the roll of {provider.name}",
            detail={"page": page, "ids": [c.pk for c in rows]}, child_ids=[c.pk for c in rows],
        )
    return rows, total


def provider_for_ctf(ctf: Ctf) -> Organisation | None:
    """The provider whose roll a CTF is: the destination school, or the source school when the file
    goes to its authority (destination estab LLLL) or nowhere known (XXX, MMM)."""
    dest, source = ctf.header.dest, ctf.header.source
    school = source if (dest.estab in PSEUDO_ESTABS or dest.lea in PSEUDO_LA_CODES or not dest.estab) else dest
    providers = Organisation.objects.filter(kind__in=PROVIDER_KINDS)
    if school.urn:
        found = providers.filter(urn=school.urn).first()
        if found:
            return found
    return providers.filter(la_code=school.lea, estab=school.estab).first() if school.estab else None
