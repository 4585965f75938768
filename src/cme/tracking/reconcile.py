"""Reconcile movements: was every pupil who left a roll of the authority found again? (pure: no
Django, so the batch contract, the service and the benchmark run the same rules).

Each enrolment that ended on or before the as-of date gets a status, the first that applies:

    exempt           the deletion ground needs no tracking: (b) another school by a school
                     attendance order, (k) ceased to be of compulsory school age, (l) died
    on_roll          the same child has an enrolment at another provider, entered on or before
                     the as-of date and still open or left after this leaving date (dual
                     registration counts); found_at is its LAESTAB
    home_education   the same child is on the home-education list from on or before the as-of date
    transferred_out  ground (a) or (g) with a destination school outside the authority; found_at
                     is the destination
    unreconciled     none of these; school_days counts the school days after the leaving date up
                     to and including the as-of date

"The same child" is found by matching (cme.matching.engine), never by UPN alone: a child often
joins the next school under another UPN or none, with names spelt differently. A candidate counts
only if the engine says it is the child with at least `threshold` probability among the records
that could be the child's next enrolment, so that a brother or sister joining another school at
the same time, or a namesake, is never taken for the child. An exact agreement of UPN, date of
birth and surname, or of first name, surname, date of birth and postcode, is settled without the
engine (several fields, not the UPN alone), which is most movers and keeps a year's run fast.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from cme.matching import normalise as nm
from cme.matching.engine import Index, Matcher, Model, Person, normalise

EXEMPT_GROUNDS = frozenset("bkl")
TRANSFER_GROUNDS = frozenset("ag")
GROUNDS = frozenset("abcdefghijklmno")
DEFAULT_THRESHOLD = 0.9
DEFAULT_GRACE = 10  # school days before an unreconciled leaver becomes a CME referral

EXEMPT, ON_ROLL, HOME_EDUCATION, TRANSFERRED_OUT, UNRECONCILED = (
    "exempt", "on_roll", "home_education", "transferred_out", "unreconciled")


@dataclass(frozen=True)
class Enrolment:
    """One stay at a provider of the authority. `person.id` must be unique across the input."""

    person: Person
    laestab: str
    entry_date: dt.date
    leaving_date: dt.date | None = None
    leaving_ground: str = ""
    destination: str = ""


@dataclass(frozen=True)
class HomeEducated:
    person: Person
    start_date: dt.date


@dataclass(frozen=True)
class Outcome:
    enrolment: Enrolment
    status: str
    found_at: str = ""
    school_days: int | None = None
    probability: float | None = None
    found_id: str = ""


def _exact_keys(p: Person) -> list[tuple]:
    """Keys on which two records agree only if they are the same child (several fields)."""
    surname = "".join(nm.name_tokens(p.surname))
    forename = "".join(nm.name_tokens(p.forename)[:1])
    keys: list[tuple] = []
    if p.dob is None:
        return keys
    upn = nm.upn(p.upn)
    if upn and surname:
        keys.append(("upn", upn, p.dob, surname))
    pc = nm.postcode(p.postcode)
    if forename and surname and pc:
        keys.append(("name", forename, surname, p.dob, pc))
    return keys


class Reconciler:
    """Built once over the enrolments and the home-education list; `outcome` per leaver."""

    def __init__(self, enrolments: Sequence[Enrolment], home_educated: Sequence[HomeEducated] = (), *,
                 la_code: str, as_of: dt.date, model: Model | None = None,
                 threshold: float = DEFAULT_THRESHOLD):
        self.la_code = la_code
        self.as_of = as_of
        self.threshold = threshold
        # Every record the child could be found again in: enrolments and the home-education list.
        self.records: list[tuple[str, str, dt.date, dt.date | None]] = []  # kind, where, start, end
        people: list[Person] = []
        for e in enrolments:
            self.records.append(("roll", e.laestab, e.entry_date, e.leaving_date))
            people.append(e.person)
        for h in home_educated:
            self.records.append(("ehe", "", h.start_date, None))
            people.append(h.person)
        self.ids = [p.id for p in people]
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("every enrolment and home-education record needs its own id")
        self.row_of = {pid: i for i, pid in enumerate(self.ids)}
        self.exact: dict[tuple, list[int]] = {}
        for i, p in enumerate(people):
            for key in _exact_keys(p):
                self.exact.setdefault(key, []).append(i)
        self._people = people
        self._model = model
        self._matcher: Matcher | None = None
        self._index_rows: np.ndarray = np.zeros(0, dtype=np.int64)  # index row -> record

    # -- where a record could be the child's next placement --------------------------------

    def _valid(self, i: int, leaver: Enrolment) -> bool:
        kind, where, start, end = self.records[i]
        if start > self.as_of:
            return False
        if kind == "ehe":
            return True
        assert leaver.leaving_date is not None
        return where != leaver.laestab and (end is None or end > leaver.leaving_date)

    def _valid_mask(self, index_rows: np.ndarray, leaver: Enrolment) -> np.ndarray:
        return np.fromiter((self._valid(int(self._index_rows[r]), leaver) for r in index_rows),
                           dtype=bool, count=len(index_rows))

    def _engine(self) -> Matcher:
        if self._matcher is None:
            index = Index(self._people)
            self._index_rows = np.array([self.row_of[i] for i in index.ids], dtype=np.int64)
            self._matcher = Matcher(self._model or Model(), index)
        return self._matcher

    def _best_found(self, leaver: Enrolment, kind: str) -> tuple[int | None, float | None]:
        """The record of kind "roll" or "ehe" that is this child, or None."""
        own = self.row_of.get(leaver.person.id)
        for key in _exact_keys(leaver.person):
            for i in self.exact.get(key, ()):
                if i != own and self.records[i][0] == kind and self._valid(i, leaver):
                    return i, 1.0
        matcher = self._engine()
        n = normalise(leaver.person)
        rows = matcher.index.candidates(n)
        if not len(rows):
            return None, None
        keep = self._valid_mask(rows, leaver)
        # The leaver's own record and the child's earlier stays are not where the child went
        # next; among the rest, the engine weighs each as the child, a sibling or a namesake.
        rows = rows[keep]
        if not len(rows):
            return None, None
        s = matcher.score(n, rows)
        probability, _ = Matcher.posterior(s.child, s.sibling, s.namesake)
        order = np.argsort(-probability, kind="stable")
        for t in order:
            if probability[t] < self.threshold:
                break
            i = int(self._index_rows[rows[t]])
            if self.records[i][0] == kind:
                return i, float(probability[t])
        return None, (float(probability[order[0]]) if len(order) else None)

    def outcome(self, leaver: Enrolment, school_days: Callable[[dt.date, dt.date], int | None]) -> Outcome:
        ground = (leaver.leaving_ground or "").lower()
        if ground in EXEMPT_GROUNDS:
            return Outcome(leaver, EXEMPT)
        found, p = self._best_found(leaver, "roll")
        if found is not None:
            return Outcome(leaver, ON_ROLL, found_at=self.records[found][1], probability=p,
                           found_id=self.ids[found])
        found, p = self._best_found(leaver, "ehe")
        if found is not None:
            return Outcome(leaver, HOME_EDUCATION, probability=p, found_id=self.ids[found])
        destination = (leaver.destination or "").strip()
        if ground in TRANSFER_GROUNDS and destination and not destination.startswith(self.la_code):
            return Outcome(leaver, TRANSFERRED_OUT, found_at=destination)
        assert leaver.leaving_date is not None
        return Outcome(leaver, UNRECONCILED, school_days=school_days(leaver.leaving_date, self.as_of),
                       probability=p)


def reconcile(enrolments: Sequence[Enrolment], home_educated: Sequence[HomeEducated] = (), *,
              la_code: str, as_of: dt.date, school_days: Callable[[dt.date, dt.date], int | None],
              model: Model | None = None, threshold: float = DEFAULT_THRESHOLD) -> list[Outcome]:
    """An outcome for every enrolment that ended on or before the as-of date, in input order."""
    r = Reconciler(enrolments, home_educated, la_code=la_code, as_of=as_of, model=model,
                   threshold=threshold)
    return [r.outcome(e, school_days) for e in enrolments
            if e.leaving_date is not None and e.leaving_date <= as_of]
