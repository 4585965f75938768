"""Track and reconcile movements: deletion returns, new-entry returns and the reconciliation run.
Each action is keyword-only, in a transaction and audited; the rules of reconciliation are the
pure module's (reconcile.py), shared with `cme reconcile`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from cme.attendance import calendar as cal
from cme.attendance.selectors import NoCalendar, calendar_for, register_absence_run
from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.cases.models import OPEN_STAGES, Case, JointEnquiryEvidence, Task, TaskKind
from cme.core.batch_cache import while_unchanged
from cme.core.inputs import is_ascii_digits
from cme.intake.models import Channel, ReferralStatus
from cme.intake.services import referral_close_not_cme, referral_create
from cme.matching.engine import Person
from cme.movements.signals import leaver_recorded, new_entry_recorded
from cme.people.models import Address, Child
from cme.people.selectors import latest_address
from cme.providers.models import Enrolment, Organisation, OrgKind
from cme.tracking import reconcile as rc
from cme.tracking.models import (
    GROUND_LABELS,
    GROUNDS_2006,
    DeletionReturn,
    Leaver,
    LeaverMatch,
    LeaverStatus,
    NewEntry,
    Source,
)

# Reg 9(1)(h) and (i): the school days that must have passed before the ground can be met.
LEAVE_DAYS, ABSENCE_DAYS = 10, 20
SIXTH_DAY = 5  # the LA's provision for a permanently excluded pupil is due from the sixth school day


def grace_days(la: Organisation) -> int:
    """School days an LA gives a leaver to be found before a CME referral (per LA setting)."""
    per_la = getattr(settings, "CME_LEAVER_GRACE_DAYS", {}) or {}
    return int(per_la.get(la.la_code, per_la.get("default", rc.DEFAULT_GRACE)))


def person_of(child: Child, *, record_id: str, upn: str = "") -> Person:
    address = latest_address(child)
    return Person(id=record_id, upn=upn or child.upn, forename=child.legal_forename,
                  middle_names=getattr(child, "legal_middle_names", "") or "", surname=child.legal_surname,
                  dob=child.date_of_birth, sex=child.sex,
                  postcode=address.postcode if address else "",
                  address=f"{address.line1} {address.town}".strip() if address else "")


def _calendar(la_id: int):
    try:
        return calendar_for(la_id=la_id)
    except NoCalendar:
        return None


def _school_days(la_id: int, start: dt.date, end: dt.date) -> int | None:
    calendar = _calendar(la_id)
    if calendar is None:
        return None
    try:
        return calendar.school_days_between(start, end)
    except (cal.CalendarRangeError, cal.CalendarError):
        return None


# -- deletion returns ---------------------------------------------------------------------------


def deletion_flags(*, la: Organisation, child: Child, provider: Organisation, deleted_on: dt.date, ground: str,
                   destination: str, destination_detail: str, notice_received: bool | None,
                   other_registration: str, exclusion_on: dt.date | None) -> tuple[list[dict], bool]:
    """What the data cannot confirm about a deletion, for the officer, and whether it is premature
    (before its ground could have been met)."""
    flags: list[dict] = []
    premature = False

    def flag(code: str, message: str) -> None:
        flags.append({"code": code, "message": message})

    if ground == "a" and not (destination or destination_detail):
        flag("no_destination", "Ground (a) needs the school the pupil is now registered at")
    if ground == "g" and not (destination or destination_detail):
        flag("no_destination", "No new school or address given: the pupil may be missing education")
    if ground == "c" and not other_registration:
        flag("no_other_registration", "Ground (c) needs the other school the pupil is registered at")
    if ground == "f" and not notice_received:
        flag("no_written_notice", "Ground (f) needs the parent's written notice: ask the school for it")
    if ground in ("h", "i"):
        evidence = (JointEnquiryEvidence.objects.filter(case__child=child, case__la=la, ground__endswith=ground)
                    .order_by("-produced_at").first())
        if evidence is None:
            flag("no_joint_enquiries", f"Ground ({ground}) needs joint reasonable enquiries by the school and "
                 "the LA: none are recorded on a case for this child")
        start = (evidence.leave_ended_on if ground == "h" and evidence else
                 evidence.absence_from - dt.timedelta(days=1) if evidence else None)
        need = LEAVE_DAYS if ground == "h" else ABSENCE_DAYS
        if start is not None:
            days = _school_days(la.pk, start, deleted_on)
            if days is not None and days < need:
                premature = True
                flag("premature", f"Deleted after {days} school days: ground ({ground}) needs {need}")
    if ground == "i":
        # What the school's own registers show, whatever the enquiries say: the run of G, N or O.
        run = register_absence_run(child_id=child.pk, provider_id=provider.pk, until=deleted_on)
        if run is None:
            flag("no_registers", "No registers from the school for this pupil: the 20 school days of "
                 "continuous absence (G, N or O) cannot be checked")
        elif run < ABSENCE_DAYS:
            if not premature:
                flag("premature", f"The registers show {run} school days of continuous absence (G, N or O) "
                     f"before the deletion: ground (i) needs {ABSENCE_DAYS}")
            premature = True
    if ground == "o":
        if exclusion_on is None:
            flag("no_exclusion_date", "Ground (o) needs the date of the permanent exclusion")
        else:
            calendar = _calendar(la.pk)
            try:
                due = calendar.add_school_days(exclusion_on, SIXTH_DAY) if calendar else None
            except (cal.CalendarRangeError, cal.CalendarError):
                due = None
            flag("sixth_day", "The authority must provide full-time education from the sixth school day "
                 "after the exclusion" + (f": by {due.day} {due:%B %Y}" if due else ""))
    return flags, premature


@transaction.atomic
def deletion_return_record(*, actor, provider: Organisation, child: Child, deleted_on: dt.date, ground: str,
                           source: str, destination: str = "", destination_detail: str = "",
                           notice_received: bool | None = None, other_registration: str = "",
                           exclusion_on: dt.date | None = None, ground_2006: str = "") -> DeletionReturn:
    """A school's return of a deletion from its admission register (reg 13). The pupil's stay
    ends on the date given (if the roll still shows it open); what the data cannot confirm is
    flagged for the officer; ground (f) puts the child on the home-education list."""
    ground = (ground or "").strip().lower()
    ground_2006 = (ground_2006 or "").strip().lower()
    if not ground and ground_2006:
        ground = GROUNDS_2006.get(ground_2006, "")
        if not ground:
            raise ValidationError({"ground": f"The 2006 ground ({ground_2006}) cannot be read as a 2024 "
                                             "ground for certain: give the 2024 ground too"})
    if ground not in GROUND_LABELS:
        raise ValidationError({"ground": "Choose the deletion ground, (a) to (o)"})
    if source not in Source.values:
        raise ValidationError({"source": "Unknown source"})
    if deleted_on > timezone.localdate():
        raise ValidationError({"deleted_on": "The date of deletion must be today or in the past"})
    destination = (destination or "").strip()
    if destination and not (len(destination) == 7 and is_ascii_digits(destination)):
        raise ValidationError({"destination": "The next school's LAESTAB is 7 digits"})
    if exclusion_on is not None and exclusion_on > deleted_on:
        raise ValidationError({"exclusion_on": "The exclusion cannot be after the deletion"})
    la = provider.la
    if la is None or child.la_id != la.pk:
        raise ValidationError({"child": "This pupil is not a child of the provider's authority"})
    enrolment = (Enrolment.objects.select_for_update().filter(provider=provider, child=child)
                 .filter(entry_date__lte=deleted_on).order_by("leaving_date", "-entry_date").first())
    if enrolment is None:
        raise ValidationError({"child": f"{child.full_name} is not on the roll of {provider.name}"})
    if enrolment.leaving_date is None or enrolment.leaving_date > deleted_on:
        enrolment.leaving_date = deleted_on
        enrolment.save(update_fields=["leaving_date"])
    flags, premature = deletion_flags(la=la, child=child, provider=provider, deleted_on=deleted_on, ground=ground,
                                      destination=destination, destination_detail=destination_detail,
                                      notice_received=notice_received, other_registration=other_registration,
                                      exclusion_on=exclusion_on)
    record = DeletionReturn.objects.create(
        la=la, provider=provider, enrolment=enrolment, child=child, deleted_on=deleted_on, ground=ground,
        ground_2006=ground_2006, destination=destination, destination_detail=(destination_detail or "").strip(),
        notice_received=notice_received, other_registration=(other_registration or "").strip(),
        exclusion_on=exclusion_on, flags=flags, premature=premature, source=source,
        submitted_by=actor if getattr(actor, "pk", None) else None,
    )
    if ground == "f":
        home = Organisation.objects.filter(la=la, kind=OrgKind.HOME_EDUCATION).first()
        if home is not None and not Enrolment.objects.filter(provider=home, child=child, leaving_date__isnull=True).exists():
            Enrolment.objects.create(child=child, provider=home, entry_date=deleted_on)
    Leaver.objects.update_or_create(enrolment=enrolment, defaults={
        "la": la, "child": child, "provider": provider, "leaving_date": deleted_on, "ground": ground,
        "destination": destination, "checked_on": timezone.localdate()})
    audit_record(actor=actor, action=Action.CREATE, object_type="deletion_return", object_id=record.pk,
                 child_id=child.pk, la_id=la.pk,
                 summary=f"{provider.name} returned the deletion of {child.full_name} on {deleted_on:%d %B %Y}, "
                         f"ground ({ground})" + (" — premature" if premature else ""),
                 detail={"ground": ground, "flags": [f["code"] for f in flags], "source": source})
    transaction.on_commit(lambda: leaver_recorded.send(
        sender=DeletionReturn, la_id=la.pk, provider_id=provider.pk, child_id=child.pk, leaving_date=deleted_on,
        ground=ground, destination=destination, source=source, record=record))
    return record


# -- new entries --------------------------------------------------------------------------------


@transaction.atomic
def new_entry_record(*, actor, provider: Organisation, person: dict, entry_date: dt.date, source: str,
                     child: Child | None = None, enrolment: Enrolment | None = None,
                     child_id: int | None = None, pool: MatchPool | None = None) -> NewEntry:
    """A pupil admitted to a school of the LA (reg 13: within 5 school days). Matched against the
    LA's unreconciled leavers, its open CME cases and its home-education list; a likely match is
    put to the officer, never taken on its own. pool: the match pool of the LA, when the caller
    records many new entries at once (a roll's joiners) and built it once for them all."""
    la = provider.la
    if la is None:
        raise ValidationError({"provider": "The provider belongs to no authority"})
    if entry_date > timezone.localdate():
        raise ValidationError({"entry_date": "The date of admission must be today or in the past"})
    if child is None and child_id is not None:
        child = Child.objects.get(pk=child_id)
    if not (person.get("forename") or person.get("surname")):
        raise ValidationError({"surname": "Enter the pupil's first name or last name"})
    entry = NewEntry(la=la, provider=provider, child=child, enrolment=enrolment, person=person,
                     entry_date=entry_date, source=source,
                     submitted_by=actor if getattr(actor, "pk", None) else None)
    _match_new_entry(entry, pool)
    entry.save()
    audit_record(actor=actor, action=Action.CREATE, object_type="new_entry", object_id=entry.pk,
                 child_id=child.pk if child else None, la_id=la.pk,
                 summary=f"{provider.name} returned a new entry on {entry_date:%d %B %Y}"
                         + (": a likely match to confirm" if entry.match_state == NewEntry.MatchState.TO_CONFIRM else ""),
                 detail={"source": source, "match": entry.match_state})
    transaction.on_commit(lambda: new_entry_recorded.send(
        sender=NewEntry, la_id=la.pk, provider_id=provider.pk, child_id=child.pk if child else None,
        person=person, entry_date=entry_date, source=source, record=entry))
    return entry


# The pool's records have no dates of their own (a leaver, a case, a home-educated child): each
# counts as begun on one far day, which is also the reconciler's as-of day, so that no window of
# the reconciliation's rules leaves one out. Only the new entry's own dates matter.
_POOL_DAY = dt.date(9000, 1, 1)


@dataclass
class MatchPool:
    """What a new entry is matched against: the LA's unreconciled leavers, children with an open
    CME case and its home-education list, built once and used for every new entry of a roll."""

    reconciler: rc.Reconciler | None
    targets: dict[str, tuple[str, int]]  # record id -> ("leaver" | "case" | "ehe", its pk)


def match_pool(*, la_id: int) -> MatchPool:
    """The pool, kept in the process while what it is made of is unchanged: the leavers, cases
    and home-education stays in it (how many, which), their children's last change and the
    authority's newest address. A roll import's joiners, and the next school's, share one."""
    sets = (Leaver.objects.filter(la_id=la_id, status=LeaverStatus.UNRECONCILED),
            Case.objects.filter(la_id=la_id, stage__in=OPEN_STAGES),
            Enrolment.objects.filter(provider__la_id=la_id, provider__kind=OrgKind.HOME_EDUCATION,
                                     leaving_date__isnull=True))
    fingerprint = tuple(tuple(q.aggregate(n=Count("pk"), s=Sum("pk"), t=Max("child__updated_at")).values())
                        for q in sets)
    fingerprint += (Address.objects.filter(child__la_id=la_id).aggregate(m=Max("pk"))["m"],)
    return while_unchanged("tracking.match_pool", la_id, fingerprint, lambda: _match_pool(la_id))


def _match_pool(la_id: int) -> MatchPool:
    """The pool, in a few queries whatever its size (children and their addresses in bulk)."""
    rows: list[tuple[str, str, int, int, str]] = []  # record id, kind, pk, child, upn of the stay
    for pk, child_id, upn in (Leaver.objects.filter(la_id=la_id, status=LeaverStatus.UNRECONCILED)
                              .values_list("pk", "child_id", "enrolment__upn")):
        rows.append((f"leaver-{pk}", "leaver", pk, child_id, upn or ""))
    for pk, child_id in Case.objects.filter(la_id=la_id, stage__in=OPEN_STAGES).values_list("pk", "child_id"):
        rows.append((f"case-{pk}", "case", pk, child_id, ""))
    for pk, child_id in (Enrolment.objects.filter(provider__la_id=la_id, provider__kind=OrgKind.HOME_EDUCATION,
                                                  leaving_date__isnull=True).values_list("pk", "child_id")):
        rows.append((f"ehe-{pk}", "ehe", pk, child_id, ""))
    if not rows:
        return MatchPool(None, {})
    wanted = sorted({r[3] for r in rows})
    children: dict[int, Child] = {}
    for start in range(0, len(wanted), 900):  # within every database's limit of parameters
        children.update(Child.objects.prefetch_related("addresses").in_bulk(wanted[start:start + 900]))
    people = [rc.Enrolment(person_of(children[child_id], record_id=record_id, upn=upn), laestab="0000000",
                           entry_date=_POOL_DAY)
              for record_id, _, _, child_id, upn in rows]
    return MatchPool(rc.Reconciler(people, la_code="", as_of=_POOL_DAY),
                     {record_id: (kind, pk) for record_id, kind, pk, _, _ in rows})


def _match_new_entry(entry: NewEntry, pool: MatchPool | None = None) -> None:
    """The best of the LA's unreconciled leavers, children with an open CME case and the
    home-education list for this new pupil, by the reconciliation's rules (an exact agreement,
    or the engine's probability with the same date of birth)."""
    pool = pool if pool is not None else match_pool(la_id=entry.la_id)
    r = pool.reconciler
    if r is None:
        return
    p = entry.person
    dob = dt.date.fromisoformat(p["dob"]) if p.get("dob") else None
    joiner = Person(id="new-entry", upn=p.get("upn", ""), forename=p.get("forename", ""),
                    middle_names=p.get("middle_names", ""), surname=p.get("surname", ""),
                    former_surname=p.get("former_surname", ""), dob=dob, sex=p.get("sex", ""),
                    postcode=p.get("postcode", ""), address=p.get("address", ""))
    # The joiner is "the leaver" of the reconciliation's rules, looking for itself among these.
    probe = rc.Enrolment(joiner, laestab=entry.provider.laestab or "x", entry_date=entry.entry_date,
                         leaving_date=entry.entry_date - dt.timedelta(days=1))
    found, probability = r.find(probe, "roll")
    if found is None:
        entry.probability = probability
        return
    kind, pk = pool.targets[r.ids[found]]
    entry.match_state = NewEntry.MatchState.TO_CONFIRM
    entry.probability = probability
    if kind == "leaver":
        entry.matched_leaver = Leaver.objects.select_related("child").get(pk=pk)
        entry.matched_child = entry.matched_leaver.child
    elif kind == "case":
        entry.matched_case = Case.objects.select_related("child").get(pk=pk)
        entry.matched_child = entry.matched_case.child
    else:
        entry.matched_child = Enrolment.objects.select_related("child").get(pk=pk).child


@transaction.atomic
def new_entry_decide(*, actor, entry: NewEntry, confirm: bool) -> NewEntry:
    """The officer confirms (the leaver is found again: on this roll) or rejects the match."""
    entry = NewEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.match_state != NewEntry.MatchState.TO_CONFIRM:
        raise ValidationError({"decision": "This new entry has no match waiting for a decision"})
    entry.match_state = NewEntry.MatchState.CONFIRMED if confirm else NewEntry.MatchState.REJECTED
    entry.decided_by = actor
    entry.decided_at = timezone.now()
    entry.save(update_fields=["match_state", "decided_by", "decided_at"])
    leaver = (Leaver.objects.select_for_update().filter(pk=entry.matched_leaver_id).first()
              if entry.matched_leaver_id else None)
    if leaver is not None and confirm:
        # Held over later runs: the school may have sent no roll record the run could find.
        leaver.status, leaver.found_at, leaver.school_days = LeaverStatus.ON_ROLL, entry.provider.name, None
        leaver.match_state, leaver.found_enrolment, leaver.probability = (
            LeaverMatch.CONFIRMED, entry.enrolment, entry.probability)
        leaver.decided_by, leaver.decided_at = actor, entry.decided_at
        leaver.save()
    elif leaver is not None and entry.enrolment_id:
        leaver.rejected = sorted({*leaver.rejected, entry.enrolment_id})
        if leaver.found_enrolment_id == entry.enrolment_id and leaver.match_state == LeaverMatch.TO_CONFIRM:
            leaver.match_state, leaver.found_enrolment, leaver.probability = LeaverMatch.NONE, None, None
        leaver.save()
    if confirm:
        where = f"on the roll of {entry.provider.name} from {entry.entry_date:%d %B %Y}"
        _found_again(actor=actor, leaver=leaver, child_id=entry.matched_child_id or (leaver.child_id if leaver else None),
                     la_id=entry.la_id, where=where + " (a new entry the officer confirmed)")
    audit_record(actor=actor, action=Action.CHANGE, object_type="new_entry", object_id=entry.pk,
                 child_id=entry.matched_child_id, la_id=entry.la_id,
                 summary=("Confirmed" if confirm else "Rejected") + f" the match of a new entry at {entry.provider.name}")
    return entry


def _found_again(*, actor, leaver: Leaver | None, child_id: int | None, la_id: int, where: str) -> None:
    """A child confirmed found: a referral of the leaver still waiting for triage is closed (there
    is no child missing to triage), and each open case of the child gets a task for its officer
    to record it and close the case: an officer's call, not ours."""
    if leaver is not None and leaver.referral_id:
        referral = leaver.referral
        if referral is not None and referral.status == ReferralStatus.AWAITING_TRIAGE:
            referral_close_not_cme(actor=actor, referral=referral, reason=f"Found again: {where}")
    cases = Case.objects.filter(la_id=la_id, child_id=child_id, closed_on__isnull=True) if child_id else []
    for case in cases:
        Task.objects.create(case=case, kind=TaskKind.FOLLOW_UP, assigned_to=case.responsible_officer,
                            due_on=timezone.localdate(),
                            title=f"Child found {where.split(' (')[0]}: record it and close the case if in school")
        audit_record(actor=actor, action=Action.CHANGE, object_type="case", object_id=case.pk,
                     child_id=case.child_id, la_id=case.la_id,
                     summary=f"The child was confirmed found {where}: task set for {case.reference}")


# -- the reconciliation run ---------------------------------------------------------------------


@dataclass
class ReconcileSummary:
    leavers: int
    counts: dict[str, int]
    referrals_opened: int
    to_confirm: int = 0  # of the unreconciled, those with a possible match waiting for an officer


_FOUND = (rc.ON_ROLL, rc.HOME_EDUCATION)


@transaction.atomic
def leavers_reconcile(*, la_id: int, as_of: dt.date | None = None, actor=None) -> ReconcileSummary:
    """Every pupil who left a roll of the LA: found again (another roll, the home-education list),
    transferred out, exempt, or not found; one not found beyond the grace period becomes a CME
    referral with the evidence, once. A record found by matching alone is a possible match for an
    officer to confirm, and the leaver stays not found until then; an officer's decision holds
    over later runs. Idempotent: a second run the same day changes nothing."""
    la = Organisation.objects.get(pk=la_id, kind=OrgKind.LA)
    as_of = as_of or timezone.localdate()
    grace = grace_days(la)
    enrolments = list(Enrolment.objects.filter(provider__la_id=la_id, entry_date__lte=as_of)
                      .select_related("provider", "child").prefetch_related("child__addresses"))
    returns = {d.enrolment_id: d for d in DeletionReturn.objects.filter(la_id=la_id).order_by("submitted_at")}
    records: list[rc.Enrolment] = []
    home: list[rc.HomeEducated] = []
    child_of: dict[str, object] = {}
    for e in enrolments:
        person = person_of(e.child, record_id=f"e{e.pk}", upn=e.upn)
        child_of[person.id] = e.child_id
        if e.provider.kind == OrgKind.HOME_EDUCATION:
            home.append(rc.HomeEducated(person, e.entry_date))
            continue
        d = returns.get(e.pk)
        records.append(rc.Enrolment(person, e.provider.laestab or f"x{e.provider_id}", e.entry_date,
                                    e.leaving_date, d.ground if d else "", d.destination if d else ""))
    r = rc.Reconciler(records, home, la_code=la.la_code, as_of=as_of, child_of=child_of)
    by_id = {f"e{e.pk}": e for e in enrolments}
    counts: dict[str, int] = {}
    opened = to_confirm = 0
    existing = {lv.enrolment_id: lv for lv in Leaver.objects.filter(la_id=la_id)}
    for record in records:
        if record.leaving_date is None or record.leaving_date > as_of:
            continue
        e = by_id[record.person.id]
        outcome = r.outcome(record, lambda a, b: _school_days(la_id, a, b))
        leaver = existing.get(e.pk) or Leaver(la=la, enrolment=e, child=e.child, provider=e.provider)
        assert e.leaving_date is not None
        leaver.leaving_date = e.leaving_date
        leaver.ground, leaver.destination = record.leaving_ground, record.destination
        _settle(leaver, outcome, by_id.get(outcome.found_id) if outcome.found_id else None, as_of)
        leaver.checked_on = as_of
        leaver.save()
        counts[leaver.status] = counts.get(leaver.status, 0) + 1
        to_confirm += leaver.match_state == LeaverMatch.TO_CONFIRM
        if (leaver.status == rc.UNRECONCILED and leaver.referral_id is None
                and (leaver.school_days or 0) > grace):
            leaver.referral = _refer(la, leaver, grace)
            leaver.save(update_fields=["referral"])
            opened += 1
    audit_record(actor=actor if getattr(actor, "pk", None) else None, action=Action.CHANGE,
                 object_type="reconciliation", object_id=as_of.isoformat(), la_id=la_id,
                 summary=f"Reconciled {sum(counts.values())} leavers as of {as_of:%d %B %Y}: "
                         + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                         + f"; {to_confirm} possible matches to confirm; {opened} CME referrals opened",
                 detail={"counts": counts, "referrals": opened, "grace": grace, "to_confirm": to_confirm})
    return ReconcileSummary(sum(counts.values()), counts, opened, to_confirm)


def _settle(leaver: Leaver, outcome: rc.Outcome, found: Enrolment | None, as_of: dt.date) -> None:
    """The leaver's status from the run's outcome and what officers decided before. An exact
    agreement (the same child's record, the UPN with the names and birthday) is taken; the
    engine's probability alone (below 1) makes a possible match to confirm, unless an officer
    said that record is not this child; a confirmed match stays found whatever the engine says
    now (an officer may confirm a new entry the school sent without a roll record)."""
    status, found_at, days = outcome.status, outcome.found_at, outcome.school_days
    if status == rc.ON_ROLL and found is not None:
        found_at = found.provider.name
    by_matching = status in _FOUND and (outcome.probability or 0.0) < 1.0
    if leaver.match_state == LeaverMatch.CONFIRMED and (by_matching or status not in _FOUND):
        leaver.status, leaver.school_days = (leaver.status if leaver.status in _FOUND else rc.ON_ROLL), None
        return
    if by_matching:
        days = _school_days(leaver.la_id, leaver.leaving_date, as_of)
        if found is not None and found.pk not in leaver.rejected:
            leaver.match_state, leaver.found_enrolment, leaver.probability = (
                LeaverMatch.TO_CONFIRM, found, outcome.probability)
        else:
            leaver.match_state, leaver.found_enrolment, leaver.probability = LeaverMatch.NONE, None, None
        leaver.status, leaver.found_at, leaver.school_days = rc.UNRECONCILED, "", days
        return
    # An exact agreement, or nothing found: a possible match waiting is gone (a confirmed match
    # reaching here was found exactly, and stays confirmed).
    if leaver.match_state != LeaverMatch.CONFIRMED:
        leaver.match_state, leaver.probability = LeaverMatch.NONE, None
        leaver.found_enrolment = found if status in _FOUND else None
    leaver.status, leaver.found_at, leaver.school_days = status, found_at, days


@transaction.atomic
def leaver_match_decide(*, actor, leaver: Leaver, confirm: bool) -> Leaver:
    """The officer confirms a possible match (the leaver is found again there) or says the record
    is another child's (the leaver stays not found, and that record is never put forward again)."""
    # Locked alone: PostgreSQL refuses FOR UPDATE across the nullable join to the record found.
    leaver = Leaver.objects.select_for_update().get(pk=leaver.pk)
    found = leaver.found_enrolment
    if leaver.match_state != LeaverMatch.TO_CONFIRM or found is None:
        raise ValidationError({"decision": "This leaver has no possible match waiting for a decision"})
    leaver.decided_by, leaver.decided_at = actor, timezone.now()
    where = found.provider.name
    if confirm:
        leaver.match_state = LeaverMatch.CONFIRMED
        leaver.status = rc.HOME_EDUCATION if found.provider.kind == OrgKind.HOME_EDUCATION else rc.ON_ROLL
        leaver.found_at, leaver.school_days = where, None
    else:
        leaver.rejected = sorted({*leaver.rejected, found.pk})
        leaver.match_state, leaver.found_enrolment, leaver.probability = LeaverMatch.NONE, None, None
    leaver.save()
    # The new entry that put the same record forward, if any, is decided with it.
    NewEntry.objects.filter(matched_leaver=leaver, enrolment=found, match_state=NewEntry.MatchState.TO_CONFIRM).update(
        match_state=NewEntry.MatchState.CONFIRMED if confirm else NewEntry.MatchState.REJECTED,
        decided_by=actor, decided_at=leaver.decided_at)
    audit_record(actor=actor, action=Action.CHANGE, object_type="leaver", object_id=leaver.pk,
                 child_id=leaver.child_id, la_id=leaver.la_id,
                 summary=(f"Confirmed the leaver from {leaver.provider.name} found again at {where}" if confirm
                          else f"Rejected the possible match at {where}: another child"))
    if confirm:
        _found_again(actor=actor, leaver=leaver, child_id=leaver.child_id, la_id=leaver.la_id,
                     where=f"at {where} (a match the officer confirmed)")
    return leaver


def _refer(la: Organisation, leaver: Leaver, grace: int):
    child = leaver.child
    ground = GROUND_LABELS.get(leaver.ground, "no ground given")
    concerns = (f"Left the roll of {leaver.provider.name} on {leaver.leaving_date.day} "
                f"{leaver.leaving_date:%B %Y} ({ground}) and not found again on any roll of the authority "
                f"or its home-education list after {leaver.school_days} school days (the authority allows "
                f"{grace}). " + ("No next school or address was given." if not leaver.destination else
                                 f"The school named {leaver.destination} as the next school."))
    if leaver.match_state == LeaverMatch.TO_CONFIRM and leaver.found_enrolment is not None:
        concerns += (f" A possible match waits for an officer on the leavers page: a pupil admitted to "
                     f"{leaver.found_enrolment.provider.name} (probability {leaver.probability or 0:.2f}).")
    fields: dict[str, Any] = {"child_forename": child.legal_forename, "child_surname": child.legal_surname,
              "child_date_of_birth": child.date_of_birth, "child_sex": child.sex,
              "last_known_school": leaver.provider.name, "referrer_name": "Reconciliation of leavers",
              "referrer_organisation": la.name, "concerns": concerns}
    if child.upn:
        fields["child_upn"] = child.upn
    return referral_create(la=la, channel=Channel.RECONCILIATION, **fields)


# -- deletion returns in bulk: a CSV from a school's information system -------------------------

RETURN_COLUMNS = ("laestab", "upn", "deleted_on", "ground", "destination", "destination_detail",
                  "notice_received", "other_registration", "exclusion_on")
RETURN_REQUIRED = ("laestab", "upn", "deleted_on", "ground")


class ReturnsRefused(ValidationError):
    """A deletion-returns file with problems: every one names the row and field; nothing saved."""


def _csv_date(value: str, row: int, field: str, problems: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(f"row {row}, field {field}: {value!r} is not a date in the form YYYY-MM-DD")
        return None


@transaction.atomic
def deletion_returns_import(*, actor, data: bytes | str, providers: list[Organisation]) -> list[DeletionReturn]:
    """Every row of a deletion-returns CSV (columns RETURN_COLUMNS; dates YYYY-MM-DD; ground a to o;
    notice_received yes or no), for pupils on the rolls of `providers` (the uploader's own school,
    or the authority's providers): all or nothing, every problem named by row and field."""
    from cme.core.csvfile import read_csv

    table = read_csv(data, required=RETURN_REQUIRED, known=RETURN_COLUMNS,
                     missing_hint=f" (the header is {','.join(RETURN_COLUMNS)})")
    problems = [f"row {p.row}" + (f", field {p.column}" if p.column else "") + f": {p.message}"
                for p in table.problems]
    if table.broken:
        raise ReturnsRefused(problems)
    by_laestab = {p.laestab: p for p in providers if p.laestab}
    # Fields the reader refused (a control character, say) are named already; they are neither
    # looked up (PostgreSQL refuses NUL in a query) nor saved.
    refused = {(p.row, p.column) for p in table.problems}
    saved: list[DeletionReturn] = []
    for row in table.rows:
        n = row.number
        found = len(problems)
        provider = by_laestab.get(row["laestab"])
        if provider is None:
            problems.append(f"row {n}, field laestab: {row['laestab']!r} is not a school you may return for")
            continue
        upn = (row["upn"] or "").strip().upper()
        upn_refused = (n, "upn") in refused
        enrolment = (Enrolment.objects.filter(provider=provider, upn=upn).select_related("child")
                     .order_by("leaving_date").first()) if upn and not upn_refused else None
        if enrolment is None and not upn_refused:
            problems.append(f"row {n}, field upn: no pupil with UPN {upn or '(blank)'} on the roll of {provider.name}")
        deleted_on = _csv_date(row["deleted_on"], n, "deleted_on", problems)
        if not row["deleted_on"]:
            problems.append(f"row {n}, field deleted_on: the date taken off roll is needed")
        exclusion_on = _csv_date(row.get("exclusion_on", ""), n, "exclusion_on", problems)
        notice = (row.get("notice_received") or "").strip().lower()
        if notice not in ("", "yes", "no"):
            problems.append(f"row {n}, field notice_received: write yes or no")
        if len(problems) > found or enrolment is None or deleted_on is None or any(r == n for r, _ in refused):
            continue
        try:
            with transaction.atomic():
                saved.append(deletion_return_record(
                    actor=actor, provider=provider, child=enrolment.child, deleted_on=deleted_on,
                    ground=row["ground"], source=Source.CSV, destination=row.get("destination", ""),
                    destination_detail=row.get("destination_detail", ""),
                    notice_received={"yes": True, "no": False}.get(notice),
                    other_registration=row.get("other_registration", ""), exclusion_on=exclusion_on))
        except ValidationError as e:
            for field_name, messages in e.message_dict.items():
                problems += [f"row {n}, field {field_name}: {m}" for m in messages]
    if problems:
        raise ReturnsRefused(problems)  # rolls back every row saved above
    return saved
