"""Business actions on the provider directory. Each validates, writes and audits in one transaction."""

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from cme.accounts.models import Role
from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.core.csvfile import first
from cme.providers.gias import Establishment, Extract, RowProblem
from cme.providers.models import OPEN_STATUSES, PROVIDER_KINDS, Organisation, OrgKind

GIAS_FIELDS = (
    "kind", "name", "la_code", "estab", "urn", "phase", "statutory_low_age", "statutory_high_age",
    "postcode", "type_of_establishment", "status", "open_date", "close_date",
)


class ImportRefused(ValidationError):
    """A file was refused whole; `problems` names every bad row and field (the messages carried
    as a ValidationError are the first 100 and the count)."""

    def __init__(self, problems: list):
        self.problems = problems
        shown, more = first(problems)
        super().__init__([str(p) for p in shown] + ([f"… and {more:,} more problems"] if more else []))


@dataclass
class GiasReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_types: Counter = field(default_factory=Counter)
    outside_filter: int = 0


def _fields_for(e: Establishment, las: dict[str, Organisation]) -> dict:
    return {
        "kind": e.kind,
        "name": e.name,
        "la_code": e.la_code,
        "estab": e.estab,
        "urn": e.urn,
        "phase": e.phase,
        "statutory_low_age": e.low_age,
        "statutory_high_age": e.high_age,
        "postcode": e.postcode,
        "type_of_establishment": e.type_name,
        "status": e.status,
        "open_date": e.open_date,
        "close_date": e.close_date,
        "la": las.get(e.la_code),
    }


@transaction.atomic
def gias_import(*, actor, extract: Extract, file_name: str = "", progress=None) -> GiasReport:
    """Add or update providers from a GIAS extract, by URN and then by LAESTAB; all or nothing.

    An establishment is found by its URN; failing that, by its LAESTAB among providers that have
    no URN yet (such as ones typed in before the first import). A LAESTAB held by another URN is a
    problem for that row: an academy conversion closes one URN and opens another, and GIAS never
    gives two open establishments one LAESTAB.
    """
    if extract.problems:
        raise ImportRefused(extract.problems)
    report = GiasReport(skipped_types=extract.skipped_types, outside_filter=extract.outside_filter)
    las = {o.la_code: o for o in Organisation.objects.filter(kind=OrgKind.LA)}
    providers = list(Organisation.objects.filter(kind__in=PROVIDER_KINDS))
    by_urn = {o.urn: o for o in providers if o.urn}
    by_laestab = {o.laestab: o for o in providers if o.laestab}
    problems: list[RowProblem] = []
    now = timezone.now()
    to_create: list[Organisation] = []
    to_update: list[Organisation] = []
    claimed: dict[str, Establishment] = {}
    for e in progress(extract.establishments) if progress else extract.establishments:
        org = by_urn.get(e.urn)
        if org is None and e.laestab and (held := by_laestab.get(e.laestab)) and not held.urn:
            org = held
        holder = by_laestab.get(e.laestab) if e.laestab else None
        if holder is not None and holder is not org:
            problems.append(RowProblem(e.row, "EstablishmentNumber",
                                       f"LAESTAB {e.laestab} is already {holder.name}’s (URN {holder.urn})", e.urn))
            continue
        if e.laestab in claimed:
            problems.append(RowProblem(e.row, "EstablishmentNumber",
                                       f"LAESTAB {e.laestab} is also on row {claimed[e.laestab].row}", e.urn))
            continue
        if e.laestab:
            claimed[e.laestab] = e
        values = _fields_for(e, las)
        if org is None:
            org = Organisation(**values, is_open=e.status in OPEN_STATUSES, from_gias=True, gias_updated_at=now)
            to_create.append(org)
            report.added += 1
            continue
        changed = [name for name, value in values.items() if getattr(org, name) != value]
        if not changed and org.from_gias:
            report.unchanged += 1
            continue
        for name, value in values.items():
            setattr(org, name, value)
        org.is_open = e.status in OPEN_STATUSES
        org.from_gias = True
        org.gias_updated_at = now
        to_update.append(org)
        report.updated += 1
    if problems:
        raise ImportRefused(problems)
    Organisation.objects.bulk_create(to_create, batch_size=500)
    Organisation.objects.bulk_update(
        to_update, [*GIAS_FIELDS, "la", "is_open", "from_gias", "gias_updated_at"], batch_size=500
    )
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        object_type="provider",
        la_id=getattr(actor, "la_id", None) if actor else None,
        summary=(f"Imported the GIAS extract {file_name}: {report.added} providers added, "
                 f"{report.updated} updated").strip(),
        detail={"file": file_name, "added": report.added, "updated": report.updated,
                "unchanged": report.unchanged},
    )
    return report


# -- The directory of other LAs' named CME contacts (issue 5) ---------------------------------

LA_CODES_FILE = Path(__file__).parent / "data" / "la-codes.csv"


def read_la_codes(path: Path = LA_CODES_FILE) -> list[tuple[str, str]]:
    """(LA code, name) of every English LA in the DfE's list, as shipped."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    return [(row[1].strip(), row[0].strip()) for row in rows[1:] if len(row) >= 2 and row[1].strip().isdigit()]


@dataclass
class LaContactsReport:
    added: int = 0
    renamed: int = 0
    unchanged: int = 0


@transaction.atomic
def la_contacts_seed(*, la: Organisation, codes: list[tuple[str, str]], progress=None) -> LaContactsReport:
    """Give an authority a directory entry for every other English LA (idempotent: existing
    entries keep their contacts; only a changed name is updated)."""
    if la.kind != OrgKind.LA:
        raise ValidationError({"la": f"{la.name} is not a local authority"})
    report = LaContactsReport()
    existing = {o.la_code: o for o in Organisation.objects.filter(la=la, kind=OrgKind.OTHER_LA)}
    rows = progress(codes) if progress else codes
    for code, name in rows:
        if code == la.la_code:
            continue
        found = existing.get(code)
        if found is None:
            existing[code] = Organisation.objects.create(kind=OrgKind.OTHER_LA, la=la, la_code=code, name=name)
            report.added += 1
        elif found.name != name:
            found.name = name
            found.save(update_fields=["name"])
            report.renamed += 1
        else:
            report.unchanged += 1
    audit_record(
        actor=None, action=Action.CHANGE, object_type="organisation", la_id=la.pk,
        summary=f"Seeded the LA contacts directory of {la.name}: {report.added} added, {report.renamed} renamed",
    )
    return report


@transaction.atomic
def la_contact_update(
    *, actor, organisation: Organisation, contact_name: str, contact_email: str, contact_phone: str = ""
) -> Organisation:
    """Change another LA's named CME contact in an authority's directory (managers, administrators)."""
    if not (actor.is_la_staff and actor.has_role(Role.MANAGER, Role.ADMINISTRATOR)):
        raise ValidationError({"contact_email": "Only a manager or an administrator can change LA contacts"})
    if organisation.kind != OrgKind.OTHER_LA or organisation.la_id != actor.organisation_id:
        raise ValidationError({"contact_email": "That is not an entry of your authority’s LA contacts"})
    contact_email = (contact_email or "").strip()
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            raise ValidationError({
                "contact_email": "Enter an email address in the correct format, like name@example.gov.uk"
            }) from None
    before = {k: getattr(organisation, k) for k in ("contact_name", "contact_email", "contact_phone")}
    organisation.contact_name = (contact_name or "").strip()
    organisation.contact_email = contact_email
    organisation.contact_phone = (contact_phone or "").strip()
    organisation.save(update_fields=["contact_name", "contact_email", "contact_phone"])
    audit_record(
        actor=actor, action=Action.CHANGE, object_type="organisation", object_id=organisation.pk,
        la_id=actor.organisation_id,
        summary=f"Changed the named CME contact of {organisation.name}",
        detail={"before": before},
    )
    return organisation


@transaction.atomic
def partner_agency_save(*, actor, la: Organisation, name: str, service: str, contact_email: str = "",
                        contact_name: str = "", contact_phone: str = "") -> Organisation:
    """Add a partner agency of the authority, or change what an existing one (by name) is and how
    to reach it. Escalation chooses agencies by `service` (police, children's social care), so
    every agency says what it is."""
    from cme.providers.models import OrgKind, PartnerService

    name = (name or "").strip()
    problems = {}
    if not name:
        problems["name"] = "Enter the agency's name"
    if service not in PartnerService.values:
        problems["service"] = f"Choose what the agency is: {', '.join(PartnerService.values)}"
    if contact_email and "@" not in contact_email:
        problems["contact_email"] = "Enter an e-mail address like name@example.org"
    if la.kind != OrgKind.LA:
        problems["la"] = f"{la.name} is not an authority"
    if problems:
        raise ValidationError(problems)
    agency = Organisation.objects.filter(la=la, kind=OrgKind.PARTNER_AGENCY, name__iexact=name).first()
    created = agency is None
    agency = agency or Organisation(la=la, kind=OrgKind.PARTNER_AGENCY, name=name)
    agency.service = service
    agency.contact_email = contact_email or agency.contact_email
    agency.contact_name = contact_name or agency.contact_name
    agency.contact_phone = contact_phone or agency.contact_phone
    agency.save()
    audit_record(
        actor=actor, action=Action.CREATE if created else Action.CHANGE, object_type="organisation",
        object_id=agency.pk, la_id=la.pk,
        summary=f"{'Added' if created else 'Changed'} partner agency {agency.name} ({agency.get_service_display()})",
        detail={"service": service, "contact_email": agency.contact_email},
    )
    return agency
