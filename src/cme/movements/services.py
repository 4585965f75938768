"""Roll imports: a provider's new roll replaces its current one, all or nothing, with history.

Each pupil is attached to a child of the provider's authority by link_pupil_to_child (UPN or
former UPN); failing that, by the same matching that finds a referred child (cme.matching): a
sure match is linked, a doubtful one is put to an officer (PupilLinkQuestion) rather than made a
second child, and a pupil like no one on the register becomes a new child. Children on the roll who are not on the new one have their enrolment ended on the roll
date (leavers); pupils not on the current roll get an enrolment (joiners). The import, its counts
and each join and leave are kept (RollImport, RollChange), one audit event records it, and
roll_changed is sent once it commits.
"""

from dataclasses import asdict, dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.core.csvfile import first
from cme.movements.ctf import Ctf, CtfError
from cme.movements.models import (
    ChangeKind,
    PupilLinkQuestion,
    QuestionStatus,
    RollChange,
    RollImport,
    SourceKind,
)
from cme.movements.roll import (
    Carer,
    RollProblem,
    RollPupil,
    check_pupils,
    pupils_from_ctf,
    read_roll_csv,
    readable,
)
from cme.movements.signals import leaver_recorded, new_entry_recorded
from cme.people.identifiers import upn_is_temporary
from cme.people.models import Address, CarerContact, Child, ChildName, FormerUPN, NameKind
from cme.people.selectors import latest_address
from cme.providers.models import Enrolment, Organisation
from cme.providers.signals import roll_changed

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


@dataclass
class ChildIndex:
    """The authority's children a roll's pupils could be, looked up once per import."""

    by_upn: dict[str, Child] = field(default_factory=dict)

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
        return index


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def link_pupil_to_child(*, la_id: int, pupil: RollPupil, index: ChildIndex) -> tuple[Child | None, str]:
    """The child of the authority this pupil is by a UPN or former UPN that agrees, and how we
    know; (None, "") when no UPN says. A temporary UPN is used only when it agrees exactly, as a
    school keeps it until the permanent one comes. Everyone else is matched (match_pupil)."""
    for upn in (pupil.upn, pupil.former_upn):
        if upn and (child := index.by_upn.get(upn)) is not None and child.la_id == la_id:
            return child, "temporary UPN" if upn_is_temporary(upn) else "UPN"
    return None, ""


@dataclass(frozen=True)
class Verdict:
    """What matching says of a pupil no UPN links: "link" (to child_id), "ask" an officer (the
    candidates), or "new" (like no child on the register)."""

    kind: str
    child_id: int | None = None
    candidates: tuple[dict, ...] = ()


def _link_thresholds() -> tuple[float, float]:
    # Settings, not constants: an authority may choose to be asked more often. At 0.99 a link is
    # wrong about 1 in 100 times or less (the probabilities are calibrated; bench/matching.py).
    return (float(getattr(settings, "CME_ROLL_LINK_AUTO", 0.99)), float(getattr(settings, "CME_ROLL_LINK_ASK", 0.2)))


def match_pupil(*, la_id: int, pupil: RollPupil) -> Verdict:
    """Matching's word on a pupil: linked when sure, asked when doubtful, new when like no one.
    Call before the import writes anything (the index must not see this import's own changes)."""
    from cme.matching import adapter
    from cme.matching.engine import Person

    auto, ask = _link_thresholds()
    person = Person(
        id=f"roll-row-{pupil.row}", upn=pupil.upn, forename=pupil.legal_forename, middle_names=pupil.middle_names,
        surname=pupil.legal_surname, former_surname=pupil.former_surname,
        preferred_forename=pupil.preferred_forename, preferred_surname=pupil.preferred_surname,
        dob=pupil.date_of_birth, sex=pupil.sex, postcode=pupil.postcode, address=", ".join(pupil.address_lines),
    )
    found = [f for f in adapter.match(la_id=la_id, person=person, limit=5, min_probability=ask) if f.probability >= ask]
    if not found:
        return Verdict("new")
    candidates = tuple({"child_id": f.child_id, "probability": round(f.probability, 6), "household": f.household}
                       for f in found)
    if found[0].probability >= auto and (len(found) == 1 or found[1].probability < 1 - auto):
        return Verdict("link", found[0].child_id, candidates)
    return Verdict("ask", None, candidates)


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
    # First every pupil's child (or matching's verdict), before anything is written: the matching
    # index must not see this import's own changes, which a refusal would undo.
    linked: list[tuple[RollPupil, Child | None, Verdict | None]] = []
    for pupil in progress(pupils) if progress else pupils:
        child, _how = link_pupil_to_child(la_id=la_id, pupil=pupil, index=index)
        linked.append((pupil, child, None if child is not None else match_pupil(la_id=la_id, pupil=pupil)))
    by_pk = Child.objects.in_bulk({v.child_id for _, _, v in linked if v is not None and v.kind == "link"})
    by_upn_pk = {c.pk for c in index.by_upn.values()}
    seen: dict[int, RollPupil] = {}
    joined: list[Enrolment] = []
    unchanged: list[Enrolment] = []
    updated: list[Enrolment] = []  # of those, the ones whose year group, UPN or status moved on
    asked: list[tuple[RollPupil, Verdict]] = []
    new_children = 0
    left_rows: dict[int, RollPupil] = {}  # child -> the leaver row that ends their stay here
    for pupil, child, verdict in linked:
        if pupil.leaving_date is not None:
            # A leaver row ends the stay of a child this provider has on roll; one it does not
            # (left before the first roll, or a doubtful match) changes nothing.
            if verdict is not None and verdict.kind == "link":
                child = by_pk.get(verdict.child_id)
            if child is not None and child.pk in current and child.pk not in left_rows:
                left_rows[child.pk] = pupil
            continue
        if verdict is not None and verdict.kind == "link":
            child = by_pk.get(verdict.child_id)
            if child is None or child.pk in seen or child.pk in by_upn_pk:
                # Another row of this roll is that child already: which is which is an officer's call.
                asked.append((pupil, verdict))
                continue
        elif verdict is not None and verdict.kind == "ask":
            asked.append((pupil, verdict))
            continue
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
            now = (pupil.year_group or enrolment.year_group, pupil.upn or enrolment.upn,
                   pupil.enrolment_status or enrolment.enrolment_status)
            if now != (enrolment.year_group, enrolment.upn, enrolment.enrolment_status):
                enrolment.year_group, enrolment.upn, enrolment.enrolment_status = now
                updated.append(enrolment)
            unchanged.append(enrolment)
    if problems:
        raise RollRefused(problems)  # rolls back the children made above
    # A pupil put to an officer may be one of this roll's pupils: their enrolments stay open
    # until the officer says, rather than ending as leavers.
    kept = {c["child_id"] for _, verdict in asked for c in verdict.candidates} & (current.keys() - seen.keys())
    leavers = [e for child_id, e in current.items()
               if child_id not in seen and (child_id not in kept or child_id in left_rows)]
    for enrolment in leavers:
        row = left_rows.get(enrolment.child_id)
        enrolment.leaving_date = max(row.leaving_date if row and row.leaving_date else as_of, enrolment.entry_date)
    Enrolment.objects.bulk_update(leavers, ["leaving_date"], batch_size=500)
    # Only what changed is written: a night's roll is nearly all the same pupils as yesterday's.
    Enrolment.objects.bulk_update(updated, ["year_group", "upn", "enrolment_status"], batch_size=500)
    joined = Enrolment.objects.bulk_create(joined, batch_size=500)
    record = RollImport.objects.create(
        provider=provider, as_of=as_of, source_kind=source_kind, file_name=file_name[:255],
        imported_by=actor if getattr(actor, "pk", None) else None, pupils=len(pupils), joined=len(joined),
        left=len(leavers), unchanged=len(unchanged), new_children=new_children, to_identify=len(asked),
    )
    # Earlier questions about this provider's roll are overtaken: this roll asks afresh.
    PupilLinkQuestion.objects.filter(provider=provider, status=QuestionStatus.OPEN).update(
        status=QuestionStatus.SUPERSEDED)
    PupilLinkQuestion.objects.bulk_create([
        PupilLinkQuestion(
            roll_import=record, provider=provider, la_id=la_id, row=pupil.row, pupil=pupil_to_json(pupil),
            candidates=list(verdict.candidates),
            kept_enrolment_ids=[current[c["child_id"]].pk for c in verdict.candidates if c["child_id"] in kept],
        )
        for pupil, verdict in asked
    ])
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
                 f"{len(leavers)} left, {len(unchanged)} unchanged, {new_children} new children, "
                 f"{len(asked)} to identify"),
        detail={"provider_id": provider.pk, "as_of": as_of.isoformat(), "source": source_kind,
                "file": file_name, "pupils": len(pupils), "joined": len(joined), "left": len(leavers),
                "unchanged": len(unchanged), "new_children": new_children, "to_identify": len(asked)},
        child_ids=[e.child_id for e in joined] + [e.child_id for e in leavers],
    )
    provider_id = provider.pk
    transaction.on_commit(lambda: roll_changed.send(sender=RollImport, provider_id=provider_id))
    # The first roll of a provider is everyone already there, not joiners: only later imports
    # tell the rooms above of new entries and leavers (movements.signals).
    if RollImport.objects.filter(provider=provider).exclude(pk=record.pk).exists():
        _send_movements(record, joined, leavers, la_id, left_rows)
    return record


def _send_movements(record: RollImport, joined: list[Enrolment], leavers: list[Enrolment], la_id: int,
                    left_rows: dict[int, RollPupil]) -> None:
    def send() -> None:
        for e in joined:
            child = e.child
            address = latest_address(child)
            person = {"upn": e.upn or child.upn, "forename": child.legal_forename, "middle_names": "",
                      "surname": child.legal_surname, "former_surname": "",
                      "dob": child.date_of_birth.isoformat() if child.date_of_birth else "", "sex": child.sex,
                      "postcode": address.postcode if address else "", "address": address.line1 if address else ""}
            new_entry_recorded.send(sender=RollImport, la_id=la_id, provider_id=record.provider_id,
                                    child_id=e.child_id, person=person, entry_date=e.entry_date,
                                    source="roll", record=e, joiners=len(joined), batch=record.pk)
        for e in leavers:
            row = left_rows.get(e.child_id)
            leaver_recorded.send(sender=RollImport, la_id=la_id, provider_id=record.provider_id,
                                 child_id=e.child_id, leaving_date=e.leaving_date,
                                 ground=row.leaving_ground if row else "", destination=row.destination if row else "",
                                 source="roll", record=e)

    transaction.on_commit(send)


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


# ---- pupils put to an officer ------------------------------------------------------------------


def pupil_to_json(pupil: RollPupil) -> dict:
    data = asdict(pupil)
    for key in ("date_of_birth", "entry_date", "leaving_date"):
        data[key] = data[key].isoformat() if data[key] else None
    return data


def pupil_from_json(data: dict) -> RollPupil:
    data = dict(data)
    for key in ("date_of_birth", "entry_date", "leaving_date"):
        data[key] = date.fromisoformat(data[key]) if data.get(key) else None
    data["carers"] = [Carer(**c) for c in data.get("carers") or []]
    return RollPupil(**data)


@transaction.atomic
def pupil_link_decide(*, actor, question: PupilLinkQuestion, child: Child | None) -> Enrolment:
    """The officer's word on a pupil matching could not link surely: this child on the register
    (one of the candidates), or a child new to the register. The pupil's enrolment at the
    provider is made (or, for a candidate already on its roll, kept); the other candidates kept on
    the roll until now leave it as of the roll's date, unless a later roll has been imported."""
    question = PupilLinkQuestion.objects.select_for_update().select_related("roll_import", "provider").get(pk=question.pk)
    if question.status != QuestionStatus.OPEN:
        raise ValidationError({"question": "This pupil has been identified already, or a later roll replaced the question"})
    if child is not None and child.pk not in {c["child_id"] for c in question.candidates}:
        raise ValidationError({"child": "Choose one of the children found, or a new child"})
    pupil = pupil_from_json(question.pupil)
    record, provider = question.roll_import, question.provider
    decision = QuestionStatus.NEW_CHILD if child is None else QuestionStatus.LINKED
    if child is None:
        child = _new_child(la_id=question.la_id, pupil=pupil, actor=actor)
    else:
        if not child.upn and pupil.upn:
            child.upn = pupil.upn
            child._history_user = actor
            child.save(update_fields=["upn", "updated_at"])
        _add_details(child, pupil, new=False)
    later = RollImport.objects.filter(provider=provider, as_of__gt=record.as_of).exists()
    enrolment = Enrolment.objects.filter(provider=provider, child=child, leaving_date__isnull=True).first()
    if enrolment is None:
        enrolment = Enrolment.objects.create(
            child=child, provider=provider, entry_date=pupil.entry_date or record.as_of,
            year_group=pupil.year_group, upn=pupil.upn, enrolment_status=pupil.enrolment_status,
        )
        RollChange.objects.create(roll_import=record, child=child, change=ChangeKind.JOINED, enrolment=enrolment)
    left = []
    if not later:
        for kept in Enrolment.objects.filter(pk__in=question.kept_enrolment_ids, leaving_date__isnull=True).exclude(child=child):
            kept.leaving_date = max(record.as_of, kept.entry_date)
            kept.save(update_fields=["leaving_date"])
            RollChange.objects.create(roll_import=record, child_id=kept.child_id, change=ChangeKind.LEFT, enrolment=kept)
            left.append(kept.child_id)
    question.status = decision
    question.child = child
    question.decided_by = actor if getattr(actor, "pk", None) else None
    question.decided_at = timezone.now()
    question.save(update_fields=["status", "child", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        object_type="roll",
        object_id=record.pk,
        child_id=child.pk,
        la_id=question.la_id,
        summary=(f"Identified {pupil.label.lower()} {pupil.row} of the roll of {provider.name} as "
                 + (f"child {child.pk} on the register" if question.status == QuestionStatus.LINKED
                    else "a child new to the register")),
        detail={"question": question.pk, "decision": question.status, "candidates": question.candidates,
                "left": left},
        child_ids=[child.pk, *left],
    )
    return enrolment
