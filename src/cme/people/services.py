"""Business actions on children. Each one validates, writes, and audits in one transaction."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.core.validation import check_date_of_birth
from cme.people.identifiers import normalise_upn, uln_problem, upn_problem
from cme.people.models import (
    Address,
    CarerContact,
    Child,
    ChildName,
    FormerUPN,
    NameKind,
    Sex,
    Vulnerability,
    VulnerabilityFlag,
)
from cme.people.signals import child_record_changed, safeguarding_flag_added

EDITABLE_CHILD_FIELDS = (
    "legal_forename",
    "legal_middle_names",
    "legal_surname",
    "date_of_birth",
    "sex",
    "upn",
    "uln",
)


def _check_child_fields(fields: dict) -> dict:
    """Normalise and validate; raise one ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    clean = dict(fields)
    for name in ("legal_forename", "legal_surname", "legal_middle_names"):
        if name in clean:
            clean[name] = (clean[name] or "").strip()
    for name in ("legal_forename", "legal_surname"):
        if name in clean and not clean[name]:
            errors[name] = "Enter the child’s " + ("first name" if "fore" in name else "last name")
    if "upn" in clean:
        clean["upn"] = normalise_upn(clean["upn"] or "")
        if clean["upn"] and (problem := upn_problem(clean["upn"])):
            errors["upn"] = problem
    if "uln" in clean:
        clean["uln"] = (clean["uln"] or "").strip()
        if clean["uln"] and (problem := uln_problem(clean["uln"])):
            errors["uln"] = problem
    if clean.get("sex") not in (None, *Sex.values):
        errors["sex"] = "Sex must be F, M or left blank"
    try:
        check_date_of_birth(clean.get("date_of_birth"))
    except ValidationError as e:
        errors.update({k: v[0] for k, v in e.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return clean


def check_flags(flags: list[str], field: str = "flags") -> None:
    unknown = [f for f in flags if f not in Vulnerability.values]
    if unknown:
        raise ValidationError({field: f"Unknown vulnerability flag: {', '.join(unknown)}"})


@transaction.atomic
def child_create(
    *,
    actor,
    la_id: int,
    legal_forename: str,
    legal_surname: str,
    date_of_birth: date | None = None,
    sex: str = "",
    upn: str = "",
    uln: str = "",
    legal_middle_names: str = "",
    flags: list[str] | None = None,
    address: dict | None = None,
    audit: bool = True,
) -> Child:
    clean = _check_child_fields(
        {
            "legal_forename": legal_forename,
            "legal_surname": legal_surname,
            "legal_middle_names": legal_middle_names,
            "date_of_birth": date_of_birth,
            "sex": sex or "",
            "upn": upn,
            "uln": uln,
        }
    )
    check_flags(flags or [])
    child = Child(la_id=la_id, **clean)
    child._history_user = actor
    child.save()
    for flag in flags or []:
        VulnerabilityFlag.objects.create(child=child, flag=flag)
    if address and address.get("line1"):
        Address.objects.create(child=child, **address)
    if audit:
        audit_record(
            actor=actor,
            action=Action.CREATE,
            object_type="child",
            object_id=child.pk,
            child_id=child.pk,
            la_id=la_id,
            summary=f"Added child {child.full_name} to the register",
        )
    return child


@transaction.atomic
def child_update(*, actor, child: Child, **changes) -> Child:
    unknown = set(changes) - set(EDITABLE_CHILD_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be changed here" for name in unknown})
    clean = _check_child_fields(changes)
    old_upn = child.upn
    changed = {k: v for k, v in clean.items() if getattr(child, k) != v}
    if not changed:
        return child
    for name, value in changed.items():
        setattr(child, name, value)
    if "upn" in changed and old_upn and not FormerUPN.objects.filter(child=child, upn=old_upn).exists():
        # A UPN is for life; a replaced one (say, a temporary UPN) is kept for matching.
        FormerUPN.objects.create(child=child, upn=old_upn)
    child._history_user = actor
    child.save()
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        object_type="child",
        object_id=child.pk,
        child_id=child.pk,
        la_id=child.la_id,
        summary=f"Changed {', '.join(sorted(changed))} of {child.full_name}",
        detail={"fields": sorted(changed)},
    )
    child_record_changed.send(sender=Child, actor=actor, child_id=child.pk)
    return child


def _audit_child_change(actor, child: Child, summary: str) -> None:
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        object_type="child",
        object_id=child.pk,
        child_id=child.pk,
        la_id=child.la_id,
        summary=summary,
    )


@transaction.atomic
def child_flag_add(
    *, actor, child: Child, flag: str, detail: str = "", started_on: date | None = None
) -> VulnerabilityFlag:
    check_flags([flag], field="flag")
    record = VulnerabilityFlag.objects.create(
        child=child, flag=flag, detail=detail, started_on=started_on
    )
    # The summary names the flag only where it is not restricted: the audit is read by managers.
    label = "a restricted flag" if record.is_restricted else record.get_flag_display()
    _audit_child_change(actor, child, f"Added {label} to {child.full_name}")
    from cme.people.models import SAFEGUARDING_FLAGS

    if record.is_current and flag in SAFEGUARDING_FLAGS:
        # A child known to social care who is missing is escalated at once (issue 5), by the
        # cases app, which receives this: people never imports the rooms above it.
        safeguarding_flag_added.send(sender=VulnerabilityFlag, actor=actor, child_id=child.pk)
    return record


@transaction.atomic
def child_address_add(
    *,
    actor,
    child: Child,
    line1: str,
    line2: str = "",
    town: str = "",
    postcode: str = "",
    lived_from: date | None = None,
    is_refuge: bool = False,
) -> Address:
    if not line1.strip():
        raise ValidationError({"line1": "Enter the first line of the address"})
    # The new address becomes current; the old current one ends when the new one starts.
    child.addresses.filter(lived_to__isnull=True).update(lived_to=lived_from or date.today())
    record = Address.objects.create(
        child=child,
        line1=line1.strip(),
        line2=line2.strip(),
        town=town.strip(),
        postcode=postcode.strip().upper(),
        lived_from=lived_from,
        is_refuge=is_refuge,
    )
    _audit_child_change(actor, child, f"Recorded a new address for {child.full_name}")
    child_record_changed.send(sender=Child, actor=actor, child_id=child.pk)
    return record


@transaction.atomic
def child_contact_add(
    *,
    actor,
    child: Child,
    name: str,
    relationship: str = "",
    parental_responsibility: bool = False,
    phone: str = "",
    email: str = "",
    address: str = "",
) -> CarerContact:
    if not name.strip():
        raise ValidationError({"name": "Enter the contact’s name"})
    record = CarerContact.objects.create(
        child=child,
        name=name.strip(),
        relationship=relationship,
        parental_responsibility=parental_responsibility,
        phone=phone,
        email=email,
        address=address,
    )
    _audit_child_change(actor, child, f"Added contact {record.name} for {child.full_name}")
    return record


@transaction.atomic
def child_name_add(
    *,
    actor,
    child: Child,
    kind: str,
    forename: str = "",
    surname: str = "",
    used_from: date | None = None,
    used_to: date | None = None,
) -> ChildName:
    if kind not in NameKind.values:
        raise ValidationError({"kind": "Choose preferred or former name"})
    if not (forename.strip() or surname.strip()):
        raise ValidationError({"forename": "Enter a first name or a last name"})
    if used_from and used_to and used_to < used_from:
        raise ValidationError({"used_to": "The end date must be after the start date"})
    record = ChildName.objects.create(
        child=child,
        kind=kind,
        forename=forename.strip(),
        surname=surname.strip(),
        used_from=used_from,
        used_to=used_to,
    )
    _audit_child_change(actor, child, f"Added a {record.get_kind_display().lower()} for {child.full_name}")
    return record
