"""Hand-off actions (issue 12): the lost-pupil store, matching new entries against it, and the
lost-pupil Common Transfer File."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Sum
from django.utils import timezone

from cme.accounts.policy import require_caseworker
from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.core.batch_cache import while_unchanged
from cme.handoffs.models import CtfCounter, LostPupil, LostPupilMatch
from cme.matching.adapter import newest_model_path
from cme.matching.engine import Index, Matcher, Model, Person
from cme.movements.ctf import Address, Ctf, Pupil, SchoolStay
from cme.movements.ctf_write import LA_ESTAB, LOST, file_name, header, write_ctf
from cme.people.models import Address as ChildAddress
from cme.people.models import Child
from cme.people.selectors import latest_address
from cme.providers.models import Organisation

# The least probability at which a new entry is put to the officer as a lost pupil.
ASK_AT = 0.5


@transaction.atomic
def lost_pupil_record(*, la_id: int, child_id: int, provider_id: int | None, leaving_date: dt.date | None,
                      source: str) -> LostPupil | None:
    """A leaver with no known destination joins the authority's lost-pupil store (once)."""
    lost, created = LostPupil.objects.get_or_create(
        la_id=la_id, child_id=child_id, leaving_date=leaving_date,
        defaults={"provider_id": provider_id, "source": source})
    if created:
        audit_record(actor=None, action=Action.CREATE, object_type="lost_pupil", object_id=lost.pk,
                     child_id=child_id, la_id=la_id,
                     summary="A leaver with no known destination was added to the lost pupils",
                     detail={"source": source})
    return lost


def person_of(child: Child) -> Person:
    address = latest_address(child, refuges=False)
    return Person(id=str(child.pk), upn=child.upn, forename=child.legal_forename,
                  middle_names=child.legal_middle_names, surname=child.legal_surname,
                  dob=child.date_of_birth, sex=child.sex, postcode=address.postcode if address else "",
                  address=address.line1 if address else "")


def _person_from_columns(person: dict) -> Person:
    dob = person.get("dob") or None
    if isinstance(dob, str):
        dob = dt.date.fromisoformat(dob) if dob else None
    return Person(id="incoming", upn=person.get("upn", ""), forename=person.get("forename", ""),
                  middle_names=person.get("middle_names", ""), surname=person.get("surname", ""),
                  former_surname=person.get("former_surname", ""), dob=dob,
                  sex=person.get("sex", ""), postcode=person.get("postcode", ""), address=person.get("address", ""))


def _model(la_id: int) -> Model:
    path = newest_model_path(Organisation.objects.get(pk=la_id))
    try:
        return Model.load(path) if path else Model()
    except (OSError, ValueError, KeyError):
        return Model()


@dataclasses.dataclass
class LostPool:
    """The authority's lost pupils, indexed for the engine: built once for all the new entries
    of a roll rather than once for each."""

    by_id: dict[str, LostPupil]
    matcher: Matcher | None


def lost_pool(*, la_id: int) -> LostPool:
    """Kept in the process while the lost pupils (how many, which), their children's last change,
    the authority's newest address and its matching model are unchanged: a roll's joiners, and the
    next roll's, share it (a newly trained model is taken at once)."""
    lost = LostPupil.objects.filter(la_id=la_id, status=LostPupil.Status.LOST)
    fingerprint = (tuple(lost.aggregate(n=Count("pk"), s=Sum("pk"), t=Max("child__updated_at")).values()),
                   ChildAddress.objects.filter(child__la_id=la_id).aggregate(m=Max("pk"))["m"],
                   str(newest_model_path(Organisation.objects.get(pk=la_id))))
    return while_unchanged("handoffs.lost_pool", la_id, fingerprint, lambda: _lost_pool(la_id))


def _lost_pool(la_id: int) -> LostPool:
    lost = list(LostPupil.objects.filter(la_id=la_id, status=LostPupil.Status.LOST)
                .select_related("child").prefetch_related("child__addresses"))
    if not lost:
        return LostPool({}, None)
    index = Index([dataclasses.replace(person_of(item.child), id=str(item.pk)) for item in lost])
    return LostPool({str(item.pk): item for item in lost}, Matcher(_model(la_id), index))


@transaction.atomic
def lost_pupils_match(*, la_id: int, person: dict, trigger: str, provider_id: int | None = None,
                      entry_date: dt.date | None = None, child_id: int | None = None,
                      pool: LostPool | None = None) -> list[LostPupilMatch]:
    """Match a new entry (or a pupil of an incoming CTF) against the authority's lost pupils by
    the matching engine; each likely match becomes a question for the officer. pool: the lost
    pupils already indexed, when the caller matches many new entries at once (a roll's joiners)."""
    pool = pool if pool is not None else lost_pool(la_id=la_id)
    if pool.matcher is None:
        return []
    by_id, matcher = pool.by_id, pool.matcher
    incoming = _person_from_columns(person)
    out = []
    for candidate in matcher.rank(incoming, limit=3, min_probability=ASK_AT):
        item = by_id[candidate.id]
        if child_id is not None and item.child_id == child_id and item.leaving_date and entry_date \
                and entry_date <= item.leaving_date:
            continue  # the same enrolment seen again, not the child turning up somewhere
        if LostPupilMatch.objects.filter(lost=item, person=person, entry_date=entry_date).exists():
            continue  # told twice (a roll joiner and the new entry it became)
        match = LostPupilMatch.objects.create(lost=item, trigger=trigger, provider_id=provider_id, person=person,
                                              entry_date=entry_date, probability=round(candidate.probability, 6))
        audit_record(actor=None, action=Action.CREATE, object_type="lost_pupil_match", object_id=match.pk,
                     child_id=item.child_id, la_id=la_id,
                     summary=f"A likely match for a lost pupil ({candidate.probability:.0%}) to confirm",
                     detail={"trigger": trigger})
        out.append(match)
    return out


@transaction.atomic
def lost_match_decide(*, actor, match: LostPupilMatch, same_child: bool) -> LostPupilMatch:
    require_caseworker(actor)
    if match.lost.la_id != actor.la_id:
        raise ValidationError("This match belongs to another authority")
    if match.status != LostPupilMatch.Status.OPEN:
        raise ValidationError("This match has already been decided")
    match.status = LostPupilMatch.Status.CONFIRMED if same_child else LostPupilMatch.Status.REJECTED
    match.decided_by, match.decided_at = actor, timezone.now()
    match.save(update_fields=["status", "decided_by", "decided_at"])
    if same_child:
        LostPupil.objects.filter(pk=match.lost_id).update(status=LostPupil.Status.FOUND)
        match.lost.matches.filter(status=LostPupilMatch.Status.OPEN).exclude(pk=match.pk).update(
            status=LostPupilMatch.Status.REJECTED, decided_by=actor, decided_at=match.decided_at)
    audit_record(actor=actor, action=Action.CHANGE, object_type="lost_pupil_match", object_id=match.pk,
                 child_id=match.lost.child_id, la_id=match.lost.la_id,
                 summary="Lost pupil found again" if same_child else "Likely match rejected: not the same child")
    return match


def next_ctf_number(*, source: str, destination: str) -> int:
    """The next `nnn` for a file from source to destination, kept in the database."""
    counter, _ = CtfCounter.objects.select_for_update().get_or_create(source=source, destination=destination)
    CtfCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db()
    if counter.last > 999:
        raise ValidationError(f"Files from {source} to {destination} have passed 999")
    return counter.last


def ctf_pupil_of(child: Child, *, leaving_date: dt.date | None = None, provider: Organisation | None = None) -> Pupil:
    """The child as a CTF pupil, with what the register holds (never a refuge address)."""
    address = latest_address(child, refuges=False)
    history = []
    if provider is not None and provider.la_code and provider.estab:
        enrolment = child.enrolments.filter(provider=provider).order_by("-entry_date").first() \
            if hasattr(child, "enrolments") else None
        history.append(SchoolStay(lea=provider.la_code, estab=provider.estab, urn=getattr(provider, "urn", "") or "",
                                  name=provider.name, entry_date=getattr(enrolment, "entry_date", None),
                                  leaving_date=leaving_date, last_school=True))
    return Pupil(
        position=1, upn=child.upn, surname=child.legal_surname, forename=child.legal_forename,
        dob=child.date_of_birth, sex=child.sex, middle_names=child.legal_middle_names,
        address=Address(lines=[p for p in (address.line1, address.line2, address.town) if p],
                        postcode=address.postcode) if address else None,
        school_history=history,
    )


def case_ctf(*, case, to_la_code: str) -> tuple[str, bytes]:
    """The CTF of a case's child from this authority to another (`LLLL` for both estabs), named
    by the s2s convention with the next number for that destination."""
    source = f"{case.la.la_code}{LA_ESTAB}"
    dest = f"{to_la_code}{LA_ESTAB}"
    name = file_name(source=source, dest=dest, number=next_ctf_number(source=source, destination=dest))
    pupil = ctf_pupil_of(case.child, provider=case.last_known_provider)
    data = write_ctf(Ctf(header(source=source, dest=dest, when=timezone.localtime().replace(tzinfo=None),
                                source_name=case.la.name), [pupil]))
    return name, data


@transaction.atomic
def lost_pupil_ctf(*, actor, lost: LostPupil) -> tuple[str, bytes]:
    """The lost-pupil CTF for School to School: destination XXXXXXX, this one pupil."""
    require_caseworker(actor)
    if lost.la_id != actor.la_id:
        raise ValidationError("This lost pupil belongs to another authority")
    la = lost.la
    if not la.la_code:
        raise ValidationError("The authority has no LA code to write in the file")
    source = f"{la.la_code}{LA_ESTAB}"
    number = next_ctf_number(source=source, destination=LOST)
    name = file_name(source=source, dest=LOST, number=number)
    pupil = ctf_pupil_of(lost.child, leaving_date=lost.leaving_date, provider=lost.provider)
    data = write_ctf(Ctf(header(source=source, dest=LOST, when=timezone.localtime().replace(tzinfo=None),
                                source_name=la.name), [pupil]))
    lost.ctf_file_name, lost.ctf_written_at = name, timezone.now()
    lost.save(update_fields=["ctf_file_name", "ctf_written_at"])
    audit_record(actor=actor, action=Action.EXPORT, object_type="lost_pupil", object_id=lost.pk,
                 child_id=lost.child_id, la_id=lost.la_id, summary=f"Lost-pupil CTF {name} written",
                 detail={"file": name})
    return name, data


# -- the national search (issue 16) ---------------------------------------------------------------

# The trigger of a likely match that came back from the consortium's national search.
NATIONAL = "national"
NATIONAL_ID_PREFIX = "lost-"
# The columns the consortium needs: `cme link`'s person columns, the school the pupil left
# (LAESTAB) and the leaving date, and the authority (to send the results back). Nothing else.
NATIONAL_EXPORT_COLUMNS = ("id", "upn", "forename", "middle_names", "surname", "former_surname", "dob", "sex",
                           "postcode", "address", "la", "laestab", "leaving_date")


@transaction.atomic
def national_search_export(*, actor, la: Organisation) -> tuple[list[dict[str, str]], str]:
    """The authority's lost pupils as the minimum a national search needs, for the consortium
    that runs it: a disclosure, audited with its lawful basis. Returns the rows and the basis."""
    from cme.core.lawful import lawful_basis

    rows = []
    lost = (LostPupil.objects.filter(la=la, status=LostPupil.Status.LOST).select_related("child", "provider")
            .prefetch_related("child__addresses"))
    for item in lost.order_by("id"):
        p = person_of(item.child)
        rows.append({
            "id": f"{NATIONAL_ID_PREFIX}{item.pk}", "upn": p.upn, "forename": p.forename, "middle_names": p.middle_names,
            "surname": p.surname, "former_surname": p.former_surname,
            "dob": p.dob.isoformat() if p.dob else "", "sex": p.sex, "postcode": p.postcode, "address": p.address,
            "la": la.la_code, "laestab": item.provider.laestab if item.provider else "",
            "leaving_date": item.leaving_date.isoformat() if item.leaving_date else "",
        })
    basis = lawful_basis("national_search")
    audit_record(actor=actor, action=Action.EXPORT, object_type="lost_pupils", object_id=la.la_code, la_id=la.pk,
                 child_ids=[item.child_id for item in lost],
                 summary=f"{len(rows)} lost pupils sent to the national search",
                 detail={"recipient": "national search consortium", "lawful_basis": basis, "rows": len(rows)})
    return rows, basis


@transaction.atomic
def national_search_import(*, actor, la: Organisation, found: list, threshold: float) -> int:
    """The national search's results for this authority's lost pupils: each pupil found at or
    above `threshold` becomes a likely match for an officer to confirm (never taken on its own).
    All or nothing: a row about a pupil this authority did not send stops the import. Results
    seen before are not asked twice. Returns how many matches were put to officers."""
    by_id: dict[str, LostPupil] = {}
    for number, row in enumerate(found, start=1):
        pk = row.referral_id.removeprefix(NATIONAL_ID_PREFIX)
        item = LostPupil.objects.filter(la=la, pk=int(pk)).first() if pk.isdigit() and \
            row.referral_id.startswith(NATIONAL_ID_PREFIX) else None
        if item is None:
            raise ValidationError(f"Result {number} (referral_id {row.referral_id}): no lost pupil of "
                                  f"{la.name} has this id")
        by_id[row.referral_id] = item
    made = 0
    for row in found:
        item = by_id[row.referral_id]
        if row.probability < threshold or item.status != LostPupil.Status.LOST:
            continue
        entry = dt.date.fromisoformat(row.person["entry_date"]) if row.person.get("entry_date") else None
        if LostPupilMatch.objects.filter(lost=item, trigger=NATIONAL, person=row.person).exists():
            continue
        provider = None
        if row.person.get("laestab"):
            provider = Organisation.objects.filter(la_code=row.person["laestab"][:3], estab=row.person["laestab"][3:]).first()
        match = LostPupilMatch.objects.create(lost=item, trigger=NATIONAL, provider=provider, person=row.person,
                                              entry_date=entry, probability=round(row.probability, 6))
        audit_record(actor=actor, action=Action.CREATE, object_type="lost_pupil_match", object_id=match.pk,
                     child_id=item.child_id, la_id=la.pk,
                     summary=f"The national search found a likely match for a lost pupil ({row.probability:.0%}) to confirm",
                     detail={"trigger": NATIONAL, "laestab": row.person.get("laestab", "")})
        made += 1
    audit_record(actor=actor, action=Action.IMPORT, object_type="national_search_results", object_id=la.la_code,
                 la_id=la.pk, summary=f"National search results imported: {made} likely matches to confirm",
                 detail={"rows": len(found), "threshold": threshold})
    return made
