"""Roll imports: a provider's new roll replaces its current one, all or nothing, with history.

Each pupil is attached to a child of the provider's authority by link_pupil_to_child (UPN or
former UPN; failing that, exact legal name and date of birth); a pupil it cannot attach becomes a
new child. Children on the roll who are not on the new one have their enrolment ended on the roll
date (leavers); pupils not on the current roll get an enrolment (joiners). The import, its counts
and each join and leave are kept (RollImport, RollChange), one audit event records it, and
roll_changed is sent once it commits.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.core.csvfile import first
from cme.movements.ctf import Ctf, CtfError
from cme.movements.models import ChangeKind, RollChange, RollImport, SourceKind
from cme.movements.roll import (
    RollProblem,
    RollPupil,
    check_pupils,
    pupils_from_ctf,
    read_roll_csv,
    readable,
)
from cme.movements.signals import roll_changed
from cme.people.identifiers import upn_is_temporary
from cme.people.models import Address, CarerContact, Child, ChildName, FormerUPN, NameKind
from cme.providers.models import Enrolment, Organisation

# No roll is older than the register: a date before it is a typing mistake (a year "25").
EARLIEST_ROLL_DATE = date(2000, 1, 1)


class RollRefused(ValidationError):
    """The roll was refused whole; `problems` names every bad row and field. Nothing changed.

    Pages, the API and the command list the first MAX_SHOWN (cme.core.csvfile.first) and the
    count; the messages carried as a ValidationError are as many, not 300,000."""

    def __init__(self, problems: list[RollProblem]):
        self.problems = problems
        shown, more = first(problems)
        super().__init__([str(p) for p in shown] + ([f"… and {more:,} more problems"] if more else []))


# ---- attaching pupils to children ----------------------------------------------------------


def _name_key(surname: str, forename: str, dob: date | None) -> tuple:
    return (surname.strip().casefold(), forename.strip().casefold(), dob)


@dataclass
class ChildIndex:
    """The authority's children a roll's pupils could be, looked up once per import."""

    by_upn: dict[str, Child] = field(default_factory=dict)
    by_name_dob: dict[tuple, list[Child]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def for_pupils(cls, *, la_id: int, pupils: list[RollPupil]) -> "ChildIndex":
        index = cls()
        upns = {u for p in pupils for u in (p.upn, p.former_upn) if u}
        children = Child.objects.filter(la_id=la_id)
        for chunk in _chunks(sorted(upns), 500):
            for child in children.filter(upn__in=chunk):
                index.by_upn.setdefault(child.upn, child)
            for former in FormerUPN.objects.filter(upn__in=chunk, child__la_id=la_id).select_related("child"):
                index.by_upn.setdefault(former.upn, former.child)
        dobs = sorted({p.date_of_birth for p in pupils if p.date_of_birth})
        for chunk in _chunks(dobs, 500):
            for child in children.filter(date_of_birth__in=chunk):
                index.by_name_dob[_name_key(child.legal_surname, child.legal_forename, child.date_of_birth)].append(child)
        return index


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def link_pupil_to_child(*, la_id: int, pupil: RollPupil, index: ChildIndex) -> tuple[Child | None, str]:
    """The child of the authority this pupil is, and how we know; (None, "") when none is known.

    The hook cme.matching may improve (probabilistic linkage with a review queue for the doubtful):
    today, a permanent UPN or former UPN that agrees, or else exactly one child with the same legal
    surname, forename and date of birth. A temporary UPN is used only when it agrees exactly, as a
    school keeps it until the permanent one comes. Never a guess: two candidates are none.
    """
    for upn in (pupil.upn, pupil.former_upn):
        if upn and (child := index.by_upn.get(upn)) is not None and child.la_id == la_id:
            return child, "temporary UPN" if upn_is_temporary(upn) else "UPN"
    same = index.by_name_dob.get(_name_key(pupil.legal_surname, pupil.legal_forename, pupil.date_of_birth), [])
    if len(same) == 1:
        return same[0], "name and date of birth"
    return None, ""


def _new_child(*, la_id: int, pupil: RollPupil, actor) -> Child:
    child = Child(
        la_id=la_id,
        legal_forename=pupil.legal_forename,
        legal_middle_names=pupil.middle_names,
        legal_surname=pupil.legal_surname,
        date_of_birth=pupil.date_of_birth,
        sex=pupil.sex,
        upn=pupil.upn,
    )
    child._history_user = actor
    child.save()
    _add_details(child, pupil, new=True)
    return child


def _add_details(child: Child, pupil: RollPupil, *, new: bool) -> None:
    """What the roll adds to what we know: other names and former UPNs always; an address and
    carers only for a new child (an officer's record of a known child is not overwritten)."""
    if pupil.former_upn and pupil.former_upn != child.upn and not child.former_upns.filter(upn=pupil.former_upn).exists():
        FormerUPN.objects.create(child=child, upn=pupil.former_upn)
    names = []
    if pupil.preferred_forename or pupil.preferred_surname:
        names.append((NameKind.PREFERRED, pupil.preferred_forename, pupil.preferred_surname))
    if pupil.former_surname:
        names.append((NameKind.FORMER, "", pupil.former_surname))
    for kind, forename, surname in names:
        if not child.other_names.filter(kind=kind, forename=forename, surname=surname).exists():
            ChildName.objects.create(child=child, kind=kind, forename=forename, surname=surname)
    if not new:
        return
    if pupil.address_lines or pupil.postcode:
        lines = pupil.address_lines or [""]
        Address.objects.create(
            child=child, line1=lines[0] or pupil.postcode, line2=", ".join(lines[1:-1]) if len(lines) > 2 else "",
            town=lines[-1] if len(lines) > 1 else "", postcode=pupil.postcode,
        )
    for carer in pupil.carers:
        CarerContact.objects.create(
            child=child, name=carer.name[:200], relationship=carer.relationship[:60],
            parental_responsibility=carer.parental_responsibility, phone=carer.phone[:40],
            email=carer.email if "@" in carer.email else "",
        )


# ---- the import ------------------------------------------------------------------------------


def roll_problems(*, provider: Organisation, as_of: date, pupils: list[RollPupil]) -> list[RollProblem]:
    problems = []
    if provider.la_id is None:
        problems.append(RollProblem(0, "provider", f"{provider.name} belongs to no authority on this system"))
    if as_of > timezone.localdate():
        problems.append(RollProblem(0, "as_of", "The roll date must be today or in the past"))
    elif as_of < EARLIEST_ROLL_DATE:
        # Every pupil's dates would be measured against a date that is a mistake: say only that.
        return [*problems, RollProblem(0, "as_of", f"The roll date must be in {EARLIEST_ROLL_DATE.year} or later")]
    last = RollImport.objects.filter(provider=provider).order_by("-as_of").first()
    if last and as_of < last.as_of:
        problems.append(RollProblem(
            0, "as_of", f"The roll date must not be before that of the current roll ({last.as_of:%d %B %Y})"))
    if not pupils:
        problems.append(RollProblem(0, "file", "The roll has no pupils: to record that everyone left, ask the council"))
    return problems + check_pupils(pupils, as_of=as_of)


@transaction.atomic
def roll_import(
    *,
    actor,
    provider: Organisation,
    as_of: date,
    pupils: list[RollPupil],
    source_kind: str,
    file_name: str = "",
    read_problems: list[RollProblem] = (),
    progress=None,
) -> RollImport:
    """Replace the provider's current roll with these pupils as of a date; all or nothing."""
    problems = [*read_problems, *roll_problems(provider=provider, as_of=as_of, pupils=pupils)]
    if read_problems and not pupils:
        # A file that could not be read has no pupils to speak of: say what is wrong with it.
        problems = [p for p in problems if p.field != "file" or p in read_problems]
    if problems:
        raise RollRefused(sorted(problems, key=lambda p: p.row))
    pupils = [readable(p) for p in pupils]
    # One import at a time per provider: a second waits here, then sees the first's roll.
    Organisation.objects.select_for_update().filter(pk=provider.pk).first()
    la_id = provider.la_id
    index = ChildIndex.for_pupils(la_id=la_id, pupils=pupils)
    current: dict[int, Enrolment] = {}
    for enrolment in Enrolment.objects.filter(provider=provider, leaving_date__isnull=True).order_by("entry_date"):
        current.setdefault(enrolment.child_id, enrolment)
    seen: dict[int, RollPupil] = {}
    joined: list[Enrolment] = []
    unchanged: list[Enrolment] = []
    new_children = 0
    for pupil in progress(pupils) if progress else pupils:
        child, _how = link_pupil_to_child(la_id=la_id, pupil=pupil, index=index)
        if child is None:
            child = _new_child(la_id=la_id, pupil=pupil, actor=actor)
            new_children += 1
        else:
            if child.pk in seen:
                other = seen[child.pk]
                problems.append(RollProblem(
                    pupil.row, "upn" if pupil.upn else "legal_surname",
                    f"This is the same child as {other.label.lower()} {other.row} ({other.full_name})",
                    pupil.upn, pupil.label))
                continue
            if not child.upn and pupil.upn:
                child.upn = pupil.upn
                child._history_user = actor
                child.save(update_fields=["upn", "updated_at"])
            _add_details(child, pupil, new=False)
        seen[child.pk] = pupil
        enrolment = current.get(child.pk)
        if enrolment is None:
            joined.append(Enrolment(
                child=child, provider=provider, entry_date=pupil.entry_date or as_of,
                year_group=pupil.year_group, upn=pupil.upn, enrolment_status=pupil.enrolment_status,
            ))
        else:
            enrolment.year_group = pupil.year_group or enrolment.year_group
            enrolment.upn = pupil.upn or enrolment.upn
            enrolment.enrolment_status = pupil.enrolment_status or enrolment.enrolment_status
            unchanged.append(enrolment)
    if problems:
        raise RollRefused(problems)  # rolls back the children made above
    leavers = [e for child_id, e in current.items() if child_id not in seen]
    for enrolment in leavers:
        enrolment.leaving_date = max(as_of, enrolment.entry_date)
    Enrolment.objects.bulk_update(leavers, ["leaving_date"], batch_size=500)
    Enrolment.objects.bulk_update(unchanged, ["year_group", "upn", "enrolment_status"], batch_size=500)
    joined = Enrolment.objects.bulk_create(joined, batch_size=500)
    record = RollImport.objects.create(
        provider=provider, as_of=as_of, source_kind=source_kind, file_name=file_name[:255],
        imported_by=actor if getattr(actor, "pk", None) else None, pupils=len(pupils), joined=len(joined),
        left=len(leavers), unchanged=len(unchanged), new_children=new_children,
    )
    RollChange.objects.bulk_create(
        [RollChange(roll_import=record, child_id=e.child_id, change=ChangeKind.JOINED, enrolment=e) for e in joined]
        + [RollChange(roll_import=record, child_id=e.child_id, change=ChangeKind.LEFT, enrolment=e) for e in leavers],
        batch_size=500,
    )
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        object_type="roll",
        object_id=record.pk,
        la_id=la_id,
        summary=(f"Imported the roll of {provider.name} as of {as_of:%d %B %Y}: {len(joined)} joined, "
                 f"{len(leavers)} left, {len(unchanged)} unchanged, {new_children} new children"),
        detail={"provider_id": provider.pk, "as_of": as_of.isoformat(), "source": source_kind,
                "file": file_name, "pupils": len(pupils), "joined": len(joined), "left": len(leavers),
                "unchanged": len(unchanged), "new_children": new_children},
        child_ids=[e.child_id for e in joined] + [e.child_id for e in leavers],
    )
    provider_id = provider.pk
    transaction.on_commit(lambda: roll_changed.send(sender=RollImport, provider_id=provider_id))
    return record


def roll_import_csv(*, actor, provider: Organisation, as_of: date, data: bytes, file_name: str = "",
                    progress=None) -> RollImport:
    pupils, read_problems = read_roll_csv(data)
    return roll_import(actor=actor, provider=provider, as_of=as_of, pupils=pupils, source_kind=SourceKind.CSV,
                       file_name=file_name, read_problems=read_problems, progress=progress)


def ctf_problems(error: CtfError) -> list[RollProblem]:
    return [RollProblem(p.pupil or 0, p.element, p.message, p.upn, "Pupil") for p in error.problems]


def roll_import_ctf(*, actor, provider: Organisation, ctf: Ctf, as_of: date | None = None, file_name: str = "",
                    progress=None) -> RollImport:
    """A CTF as the provider's roll, as of the given date or else the date the file was made."""
    if ctf.header.document_qualifier.strip().lower() == "partial":
        # A partial CTF carries only the pupils being transferred: taken as a roll it would mark
        # every other pupil as a leaver, so it is refused here (transfers are movements' work).
        raise RollRefused([RollProblem(
            0, "Header/DocumentQualifier",
            "This is a partial CTF (only some pupils); a roll needs a full CTF of the whole school",
            label="File",
        )])
    if as_of is None:
        as_of = ctf.header.date_time.date() if ctf.header.date_time else timezone.localdate()
    return roll_import(actor=actor, provider=provider, as_of=as_of, pupils=pupils_from_ctf(ctf),
                       source_kind=SourceKind.CTF, file_name=file_name, progress=progress)
