"""Find a referred child among the pupils on roll: Fellegi–Sunter record linkage (pure: no Django).

A referral often carries little, misspelt information. Each candidate pair is compared field by
field; each comparison falls into one level (agrees, one of several "similar" levels, disagrees,
or missing). A level adds log2(m/u) bits of evidence, where m is how often true matches fall in
it and u how often unrelated pairs do. m and u are estimated from the LA's own data: u from
random pairs of its roll, m by expectation maximisation on blocked candidate pairs (as Splink
does), one round blocked on date of birth (to learn the name weights) and one blocked on the full
name (to learn the rest). Exact name agreement is adjusted for how common the name is.

Interactive scoring uses an in-memory `Index` of the rolls: columns as numpy arrays, names
interned, and blocking keys in one sorted array, so a referral is scored against its few hundred
candidates with vectorised operations.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from hashlib import blake2b
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler

from cme.matching import normalise as nm
from cme.matching.calibration import Calibration, assess
from cme.matching.holdout import Holdout, make_holdout
from cme.matching.names import groups_of, short_forms

ENGINE_VERSION = "1.0"
MODEL_FORMAT = 2
READABLE_FORMATS = (1, 2)  # format 1 files lack the sibling, namesake and twin rates
# Comparisons added since format 2 was first written: a file without one reads with its defaults.
ADDED_COMPARISONS = ("timing", "middle_name")
# A UPN given is another child's now and then (a brother's or sister's, typed from the wrong
# record): same UPN is strong evidence, never proof. log2(0.95 / 1e-4), about 13 bits.
UPN_MAX_WEIGHT = 13.2
# A stand-in date of birth (1 January or 1 September of a year, what a form holds when only the
# age is known) says only the year. Children of compulsory school age span about 12 birth
# years, so the year or one either side fits a quarter of unrelated children and nearly every
# referral about the child: log2(0.95 / 0.25). Fixed, not estimated: random pairs of a roll
# hardly ever show a stand-in date, so their rate would overstate it.
STAND_IN_YEAR_WEIGHT = 1.93
STAND_IN_DAYS = ((1, 1), (9, 1))  # (month, day)
# A temporary UPN is issued locally while the permanent one is awaited and may be reissued
# (data-standards.md §2.6): agreement on one is a hint, never the strong evidence of a real UPN.
TEMPORARY_UPN_MAX_WEIGHT = 4.0
# Blocks bigger than this (a very common name with no year) are skipped to keep lookups fast. An
# authority's roll keeps nearly every block under it; a national roll (issue 16) has many more
# records to a key, and a national run sets a smaller bound (`cme link --max-block`).
MAX_BLOCK = 5000
# Ids: -1 is "none given"; a value that no record holds gets this, which equals no stored id.
UNSEEN = -2


@dataclass(frozen=True)
class Level:
    name: str
    outcome: str  # "agrees", "similar" or "disagrees"; "missing" is not a level
    label: str


def _levels(*items: tuple[str, str, str]) -> tuple[Level, ...]:
    return tuple(Level(*item) for item in items)


COMPARISONS: dict[str, tuple[Level, ...]] = {
    "forename": _levels(
        ("exact", "agrees", "same forename"),
        ("variant", "similar", "nickname or another form of the same name"),
        ("middle_name", "similar", "the forename given is a middle name"),
        ("close_spelling", "similar", "spelt almost the same"),
        ("sounds_alike", "similar", "sounds the same"),
        ("loose_spelling", "similar", "spelt a little alike"),
        ("initial", "similar", "only the initial is given, and it agrees"),
        ("different", "disagrees", "different forename"),
    ),
    "surname": _levels(
        ("exact", "agrees", "same surname"),
        ("part", "similar", "one part of a double-barrelled surname agrees"),
        ("close_spelling", "similar", "spelt almost the same"),
        ("sounds_alike", "similar", "sounds the same"),
        ("loose_spelling", "similar", "spelt a little alike"),
        ("different", "disagrees", "different surname"),
    ),
    "dob": _levels(
        ("exact", "agrees", "same date of birth"),
        ("day_month_swapped", "similar", "day and month swapped"),
        ("year_off_by_one", "similar", "same day and month, year one out"),
        ("one_digit_typo", "similar", "one digit wrong or two digits transposed"),
        ("two_digits", "similar", "two digits wrong"),
        ("year_digit", "similar", "one digit of the year wrong: two or more years out"),
        ("year_only", "similar", "a stand-in date (1 January or 1 September): only the year agrees"),
        ("different", "disagrees", "different date of birth"),
    ),
    "sex": _levels(
        ("same", "agrees", "same sex"),
        ("different", "disagrees", "different sex"),
    ),
    "address": _levels(
        ("postcode_and_address", "agrees", "same postcode and address"),
        ("postcode", "agrees", "same postcode"),
        ("address", "similar", "same address, postcode differs or is missing"),
        ("postcode_typo", "similar", "postcode one character out"),
        ("address_close", "similar", "address much alike"),
        ("postcode_sector", "similar", "same postcode sector"),
        ("postcode_district", "similar", "same postcode district"),
        ("different", "disagrees", "different address"),
    ),
    "upn": _levels(
        ("same_permanent", "agrees", "same UPN"),
        ("same_temporary", "similar", "same temporary UPN (weak evidence)"),
        ("different", "disagrees", "different permanent UPN"),
    ),
    "name_order": _levels(
        ("as_given", "agrees", "forename and surname in the usual order"),
        ("swapped", "similar", "forename and surname swapped"),
    ),
    # When the record's pupil joined its school against when the referred child left the last
    # one (a lost pupil's leaving date; a roll's entry dates): a child who leaves with no known
    # destination turns up at the next school within weeks, mid-year, where a namesake has mostly
    # been on roll since the start of the key stage. Missing unless both dates are given.
    "timing": _levels(
        ("in_year_soon", "agrees", "joined this school mid-year, close to the day the child left the last"),
        ("intake_soon", "similar", "joined this school at the start of a school year, soon after the child left the last"),
        ("within_a_year", "similar", "joined this school within a year after the child left the last"),
        ("before", "disagrees", "on this school's roll since well before the child left the last"),
        ("long_after", "disagrees", "joined this school more than a year after the child left the last"),
    ),
    # Middle names, where both records give them: a school's record holds the full name from a
    # birth certificate or passport, so one child's agree, where a namesake's agree only by
    # chance (as often as the name is common). Missing when the forename level is "middle_name"
    # (the record knows the child by it): that comparison has already weighed it.
    "middle_name": _levels(
        ("same", "agrees", "a middle name the same"),
        ("initial", "similar", "only the initial of a middle name is given, and it agrees"),
        ("close_spelling", "similar", "a middle name spelt almost the same"),
        ("different", "disagrees", "different middle names"),
    ),
}
NAMES = tuple(COMPARISONS)
FN, SN, DOB, SEX, ADDR, UPN, ORDER, TIMING, MIDDLE = range(9)
# The comparisons of `Index.compare` (name order, timing and middle names are added by their own).
RECORD_FIELDS = 6
# Each comparison's levels by name: LEVEL["forename"]["exact"] is 0.
LEVEL = {name: {lv.name: i for i, lv in enumerate(levels)} for name, levels in COMPARISONS.items()}
FN_EXACT, FN_VARIANT = LEVEL["forename"]["exact"], LEVEL["forename"]["variant"]
DOB_EXACT = LEVEL["dob"]["exact"]
DOB_YEAR_ONLY = LEVEL["dob"]["year_only"]
SEX_SAME = LEVEL["sex"]["same"]
# Levels at which a candidate's household is the referred child's: the surname agrees (or is
# spelt almost or exactly alike), and so do the address or postcode.
SURNAME_FITS = [LEVEL["surname"][k] for k in ("exact", "part", "close_spelling", "sounds_alike")]
ADDRESS_FITS = [LEVEL["address"][k] for k in ("postcode_and_address", "postcode", "address")]

# How often, at most, a child's own record disagrees outright with a referral about the child.
# EM cannot tell a child whose referral gives a wholly different forename or birthday from a
# twin or a brother or sister at the same address (the data fit both), and the second is what
# happens: a referral linked to a sibling says the missing child is safe. So these are held
# low, as a policy: a referral that disagrees on them is put to the officer, not linked.
MAX_M_DIFFERENT = {"forename": 0.002, "surname": 0.05, "dob": 0.005}
# Likewise a birthday on the same day of a year two or more out by one digit: a slip of the
# year, or a namesake born on the same day of another year. The data fit both; a namesake linked
# as the child is the worse mistake, so the slip is held rare and needs the address to link.
MAX_M_YEAR_DIGIT = 0.003

# Starting values (and the pull of the prior when data are scarce) for m and u.
DEFAULT_M = {
    "forename": [0.873, 0.04, 0.01, 0.03, 0.02, 0.02, 0.005, 0.002],
    "surname": [0.87, 0.03, 0.03, 0.02, 0.015, 0.035],
    "dob": [0.925, 0.015, 0.01, 0.025, 0.01, 0.002, 0.008, 0.005],
    "sex": [0.98, 0.02],
    "address": [0.6, 0.1, 0.05, 0.03, 0.03, 0.05, 0.05, 0.09],
    "upn": [0.95, 0.02, 0.03],
    "name_order": [0.98, 0.02],
    "timing": [0.6, 0.1, 0.15, 0.12, 0.03],
    "middle_name": [0.88, 0.02, 0.04, 0.06],
}
DEFAULT_U = {
    "forename": [0.01, 0.005, 0.002, 0.005, 0.01, 0.05, 0.01, 0.908],
    "surname": [0.003, 0.001, 0.003, 0.005, 0.03, 0.958],
    "dob": [0.0003, 0.0003, 0.0006, 0.006, 0.02, 0.001, 0.0025, 0.9693],
    "sex": [0.5, 0.5],
    "address": [1e-5, 1e-4, 1e-4, 1e-4, 5e-4, 0.002, 0.02, 0.97729],
    "upn": [1e-6, 1e-4, 0.999899],
    # Not a probability: a swap is judged on the name comparisons themselves, so the order
    # comparison only carries the (m) cost of a swap among true matches.
    "name_order": [1.0, 1.0],
    # Training measures u on the referrals' leaving dates against random pupils' entry dates.
    "timing": [0.02, 0.06, 0.07, 0.8, 0.05],
    "middle_name": [0.02, 0.01, 0.01, 0.96],
}
# How a brother's or sister's forename, birthday and sex compare with the child's: what a
# referral about an unrolled sibling shows against the rolled one. Parents name children alike
# (Jack and Jacob, Gurpreet and Gurdeep; a family's boys all Muhammad), give one child's name to
# another as a middle name, and have twins: none of that is what random pairs show. Training
# measures these on the roll's own brothers and sisters; these are the starting values.
DEFAULT_S = {
    "forename": [0.01, 0.02, 0.02, 0.01, 0.01, 0.05, 0.005, 0.875],
    "dob": [0.03, 0.0003, 0.002, 0.01, 0.02, 0.003, 0.0025, 0.9322],
    "sex": [0.5, 0.5],
}
SIBLING_FIELDS = {"forename": 0, "dob": 2, "sex": 3}  # columns of the levels array

# The timing comparison's bounds, in days from the leaving date to the entry date. A school that
# does not know where a child went deletes the child only after its enquiries (reg 9(1)(h), (i):
# twenty school days of absence and more), so the child is often on the next roll weeks before
# the last one lets go: the window opens well before the leaving date. UNVERIFIED: chosen from
# the deletion grounds' timescales, not from a published study of lost pupils' next entries.
TIMING_SOON = (-90, 90)
TIMING_INTAKE_SOON = 120  # a September start can follow a summer leaving by up to four months
TIMING_YEAR = 400
# Entry dates in the first fortnight of September are the normal start of a school year (a
# reception or Year 7 intake), which many pupils share; any other entry is an in-year admission.
INTAKE_DAYS = (9, 1, 14)  # (month, first day, last day)


# ---------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True)
class Person:
    """A child as a roll, register or referral describes it. Any field but `id` may be empty."""

    id: str
    upn: str = ""
    forename: str = ""
    middle_names: str = ""
    surname: str = ""
    former_surname: str = ""
    preferred_forename: str = ""
    preferred_surname: str = ""
    dob: date | None = None
    sex: str = ""
    postcode: str = ""
    address: str = ""
    # A roll record: the day the pupil joined the school whose roll it is. A lost pupil's record:
    # the day the child left the school it comes from. Either may be empty.
    entry_date: date | None = None
    leaving_date: date | None = None


@dataclass(frozen=True, slots=True)
class _Norm:
    forenames: tuple[str, ...]  # legal forename first, then a preferred one
    middles: tuple[str, ...]
    surnames: tuple[str, ...]  # legal, former, preferred (each joined: smith-jones → smithjones)
    parts: tuple[str, ...]  # parts of double-barrelled surnames
    ymd: int
    sex: int
    pc: str
    sector: str
    district: str
    addr: str
    num: int
    upn: str
    upn_temp: bool
    entered: int = 0  # date ordinals; 0 is none given
    left: int = 0
    intake: bool = False  # entered at the normal start of a school year


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def normalise(p: Person) -> _Norm:
    fn_tokens = nm.name_tokens(p.forename)
    pref = nm.name_tokens(p.preferred_forename)
    middles = _unique([*fn_tokens[1:], *nm.name_tokens(p.middle_names)])
    surname_tokens = [nm.name_tokens(s) for s in (p.surname, p.former_surname, p.preferred_surname)]
    parts = _unique(part for t in surname_tokens for part in nm.surname_parts(t))
    pc = nm.postcode(p.postcode)
    sector, district = nm.postcode_sector_district(pc)
    addr, num = nm.address(p.address, pc)
    upn = nm.upn(p.upn)
    ymd = p.dob.year * 10000 + p.dob.month * 100 + p.dob.day if p.dob else 0
    return _Norm(
        forenames=_unique([fn_tokens[0] if fn_tokens else "", pref[0] if pref else ""]),
        middles=middles,
        surnames=_unique("".join(t) for t in surname_tokens),
        parts=parts,
        ymd=ymd,
        sex=nm.sex(p.sex),
        pc=pc,
        sector=sector,
        district=district,
        addr=addr,
        num=num,
        upn=upn,
        upn_temp=nm.upn_is_temporary(upn),
        entered=p.entry_date.toordinal() if p.entry_date else 0,
        left=p.leaving_date.toordinal() if p.leaving_date else 0,
        intake=p.entry_date is not None and p.entry_date.month == INTAKE_DAYS[0]
        and INTAKE_DAYS[1] <= p.entry_date.day <= INTAKE_DAYS[2],
    )


def _swapped(n: _Norm) -> _Norm:
    """The referral read with forename and surname the other way round."""
    return replace(n, forenames=n.surnames[:1], surnames=n.forenames[:1], parts=(), middles=())


_STAND_IN = frozenset(month * 100 + day for month, day in STAND_IN_DAYS)


_DIGIT_PLACES = 10 ** np.arange(7, -1, -1, dtype=np.int64)


def _digits(ymd: int) -> list[int]:
    return [int(c) for c in f"{ymd:08d}"]


def _blocking_key_tuples(n: _Norm, query: bool) -> set[tuple]:
    """The blocking keys of a record; a query also looks for common errors."""
    fcodes = {nm.phonetic(f) for f in n.forenames}
    fgroups = {g for f in n.forenames for g in groups_of(f)}
    scodes = {nm.phonetic(s) for s in (*n.surnames, *n.parts)}
    year = n.ymd // 10000
    keys: list[tuple] = []
    initials = {f[:1] for f in n.forenames} | {s[:1] for s in n.surnames}
    if n.ymd:
        keys.append(("d", n.ymd))
        # A date with an initial: small blocks, so that a mistyped date can be looked up too.
        dates = {n.ymd}
        if query:
            y, m, d = year, n.ymd // 100 % 100, n.ymd % 100
            if d <= 12:
                dates.add(y * 10000 + d * 100 + m)
            dates.update({(y - 1) * 10000 + m * 100 + d, (y + 1) * 10000 + m * 100 + d})
        keys.extend(("di", v, i) for v in dates for i in initials)
    if year:
        keys.extend(("s", s, year) for s in scodes)
        keys.extend(("f", f, year) for f in fcodes)
    keys.extend(("fs", f, s) for f in fcodes | fgroups for s in scodes)
    # Misspelt late in the name: the other name's code with this one's first letters.
    keys.extend(("f3", f, s[:3]) for f in fcodes for s in n.surnames)
    keys.extend(("s1", s, f[:1]) for s in scodes for f in n.forenames)
    if n.pc:
        keys.append(("p", n.pc))
    street = next((w for w in n.addr.split() if not w.isdigit() and len(w) > 2), "")
    street = nm.phonetic(street) if street else ""
    if n.num >= 0:
        # The house number with a name: a household, even when the street is misspelt.
        keys.extend(("nf", n.num, f) for f in fcodes)
        keys.extend(("ns", n.num, s) for s in scodes)
    if street:
        if n.num >= 0:
            keys.append(("a", n.num, street))
        keys.extend(("fa", f, street) for f in fcodes)
        keys.extend(("sa", s, street) for s in scodes)
    if n.upn:
        keys.append(("u", n.upn))
    out = set(keys)
    if query and n.forenames and n.surnames:
        out |= _blocking_key_tuples(_swapped(n), query=False)
    return out


def _blocking_keys(n: _Norm, query: bool) -> set[int]:
    """Hashes of the blocking keys, for the in-memory index (Python's hash: fast, but salted
    per process)."""
    return {hash(k) for k in _blocking_key_tuples(n, query)}


def blocking_key_values(n: _Norm, query: bool) -> list[int]:
    """The same blocking keys as 64-bit values that are the same in every process and on every
    machine, for a runner that joins records on them in many processes (the Spark runner)."""
    return sorted(int.from_bytes(blake2b(repr(k).encode(), digest_size=8).digest(), "little", signed=True)
                  for k in _blocking_key_tuples(n, query))


# ---------------------------------------------------------------------------------------------
# Index


class _Vocab:
    """Interned strings; names also carry their phonetic code, initial, length and groups."""

    def __init__(self, names: bool):
        self.strings: list[str] = []
        self.ids: dict[str, int] = {}
        self.names = names
        self._codes: dict[str, int] = {}
        self._mp: list[int] = []
        self._first: list[int] = []
        self._len: list[int] = []
        self.members: dict[str, list[int]] = defaultdict(list)
        self.called_by: dict[str, list[int]] = defaultdict(list)  # short form -> names called by it
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def add(self, s: str) -> int:
        if not s:
            return -1
        i = self.ids.get(s)
        if i is None:
            i = self.ids[s] = len(self.strings)
            self.strings.append(s)
            if self.names:
                self._mp.append(self.code(nm.phonetic(s), create=True))
                self._first.append(ord(s[0]))
                self._len.append(len(s))
                for g in groups_of(s):
                    self.members[g].append(i)
                for short in short_forms(s):
                    self.called_by[short].append(i)
                self._arrays = None
        return i

    def get(self, s: str) -> int:
        """The id of a string; -1 for "none given", UNSEEN for a value no record holds, so
        that a value the index has never seen agrees with nothing (not with a missing one)."""
        return self.ids.get(s, UNSEEN) if s else -1

    def short_form_ids(self, name: str) -> list[int]:
        """Names held that are this name's short form (Oluwatomiwa: Tomi), or that it is the
        short form of (Tomi: Oluwatomiwa, Oluwatomisin); see `names.short_forms`."""
        shorts = [self.ids[f] for f in short_forms(name) if f in self.ids]
        return shorts + self.called_by.get(name, [])

    def code(self, c: str, create: bool = False) -> int:
        i = self._codes.get(c)
        if i is None:
            if not create:
                return -2  # matches no stored code, unlike -1 ("none")
            i = self._codes[c] = len(self._codes)
        return i

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Phonetic code id, initial and length of every name, with a sentinel row for -1."""
        if self._arrays is None:
            self._arrays = (
                np.array([*self._mp, -3], dtype=np.int32),
                np.array([*self._first, -1], dtype=np.int32),
                np.array([*self._len, 0], dtype=np.int32),
            )
        return self._arrays


_COLUMNS = {
    "fn": (np.int32, 2), "mid": (np.int32, 2), "sn": (np.int32, 3), "parts": (np.int32, 4),
    "ymd": (np.int32, 0), "dig": (np.int8, 8), "sex": (np.int8, 0), "pc": (np.int32, 0),
    "sector": (np.int32, 0), "district": (np.int32, 0), "num": (np.int32, 0),
    "upn": (np.int32, 0), "upn_temp": (np.bool_, 0), "entered": (np.int32, 0), "intake": (np.bool_, 0),
    "alive": (np.bool_, 0),
}


def _isin(a: np.ndarray, values) -> np.ndarray:
    """np.isin, faster for the handful of values a query has (no sort of small arrays)."""
    values = np.asarray(values).ravel()
    if len(values) > 8:
        return np.isin(a, values)
    out = np.zeros(a.shape, dtype=bool)
    for v in values:
        out |= a == v
    return out


def _rows_any(x: np.ndarray) -> np.ndarray:
    """x.any(axis=1) for a narrow 2-D array; OR-ing columns is much faster than the reduction."""
    out = x[:, 0].copy()
    for j in range(1, x.shape[1]):
        out |= x[:, j]
    return out


def _rows_max(x: np.ndarray) -> np.ndarray:
    out = x[:, 0].copy()
    for j in range(1, x.shape[1]):
        np.maximum(out, x[:, j], out=out)
    return out


def _pad(ids: list[int], width: int) -> list[int]:
    return (ids + [-1] * width)[:width]


class Index:
    """Every pupil on roll (and home-educated or registered child), held in memory for matching.

    Rows are added with `add` and withdrawn with `remove`, so a roll import refreshes the index
    without a rebuild; new blocking keys wait in a small unsorted list until `compact`.
    """

    def __init__(self, people: Iterable[Person] = (), *, max_block: int = MAX_BLOCK):
        # A blocking key held by more records than this narrows nothing down: lookups skip it.
        self.max_block = max_block
        self.ids: list[str] = []
        self.row_of: dict[str, int] = {}
        self.names = _Vocab(names=True)
        self.codes = _Vocab(names=False)  # postcodes, sectors, districts and UPNs
        self.cols: dict[str, np.ndarray] = {
            k: np.zeros((0, w) if w else 0, dtype=t) for k, (t, w) in _COLUMNS.items()
        }
        self.addr = np.zeros(0, dtype=object)
        self.fn_count = np.zeros(0, dtype=np.int32)
        self.sn_count = np.zeros(0, dtype=np.int32)
        self.mid_count = np.zeros(0, dtype=np.int32)
        self._with_middles: int | None = None  # records giving a middle name (set on a part)
        self._keys = np.zeros(0, dtype=np.int64)
        self._rows = np.zeros(0, dtype=np.int32)
        self._delta_keys: list[int] = []
        self._delta_rows: list[int] = []
        self._size: int | None = None  # set on a part of a larger index (of_normalised)
        self._alive: int | None = None  # records alive, counted once after each change
        self._mid_alive: int | None = None  # of them, those giving a middle name
        self.add(people)
        self.compact()

    def with_middles(self) -> int:
        """Records (alive) that give a middle name: how common a middle name is, is its share of these."""
        if self._with_middles is not None:
            return self._with_middles
        if self._mid_alive is None:
            c = self.cols
            self._mid_alive = int((c["alive"] & (c["mid"][:, 0] >= 0)).sum())
        return self._mid_alive

    def __len__(self) -> int:
        if self._size is not None:
            return self._size
        if self._alive is None:  # asked several times for every referral scored
            self._alive = int(self.cols["alive"].sum())
        return self._alive

    # -- building -------------------------------------------------------------------------

    def add(self, people: Iterable[Person]) -> None:
        """Add (or replace, by id) people."""
        people = list(people)
        self._add_normalised([p.id for p in people], [normalise(p) for p in people], keys=True)

    @classmethod
    def of_normalised(cls, ids: Sequence[str], records: Sequence[_Norm], *, forename_counts: Mapping[str, int],
                      surname_counts: Mapping[str, int], size: int, middle_counts: Mapping[str, int] | None = None,
                      with_middles: int = 0) -> Index:
        """A part of a larger index: these records only, already normalised, scored as they would
        be in the whole. How common each name is (`forename_counts`, `surname_counts`: records
        holding it) and how many records the whole holds (`size`) come from the whole, so that
        name weights and priors are the whole's. No blocking keys: the caller chose the records.
        This is how a runner that splits the work (the Spark runner) scores a referral's
        candidates exactly as the in-memory index would."""
        index = cls()
        index._add_normalised(ids, records, keys=False)
        strings = index.names.strings
        index.fn_count = np.array([forename_counts.get(s, 0) for s in strings] + [0], dtype=np.int64)
        index.sn_count = np.array([surname_counts.get(s, 0) for s in strings] + [0], dtype=np.int64)
        index.mid_count = np.array([(middle_counts or {}).get(s, 0) for s in strings] + [0], dtype=np.int64)
        index._size = size
        index._with_middles = with_middles
        return index

    def _add_normalised(self, ids: Sequence[str], records: Sequence[_Norm], *, keys: bool) -> None:
        self.remove([i for i in ids if i in self.row_of])
        rows: dict[str, list] = {k: [] for k in _COLUMNS}
        addr: list[str] = []
        fn_seen: list[int] = []
        sn_seen: list[int] = []
        mid_seen: list[int] = []
        start = len(self.ids)
        for offset, (ident, n) in enumerate(zip(ids, records, strict=True)):
            row = start + offset
            self.row_of[ident] = row
            self.ids.append(ident)
            fn = [self.names.add(s) for s in n.forenames]
            sn = [self.names.add(s) for s in n.surnames]
            fn_seen.extend(fn)
            sn_seen.extend(sn)
            rows["fn"].append(_pad(fn, 2))
            mid = [self.names.add(s) for s in n.middles]
            mid_seen.extend(mid)
            rows["mid"].append(_pad(mid, 2))
            rows["sn"].append(_pad(sn, 3))
            rows["parts"].append(_pad([self.names.add(s) for s in n.parts], 4))
            rows["ymd"].append(n.ymd)
            rows["sex"].append(n.sex)
            rows["pc"].append(self.codes.add(n.pc))
            rows["sector"].append(self.codes.add(n.sector))
            rows["district"].append(self.codes.add(n.district))
            rows["num"].append(n.num)
            rows["upn"].append(self.codes.add(n.upn))
            rows["upn_temp"].append(n.upn_temp)
            rows["entered"].append(n.entered)
            rows["intake"].append(n.intake)
            addr.append(n.addr)
            if keys:
                for k in _blocking_keys(n, query=False):
                    self._delta_keys.append(k)
                    self._delta_rows.append(row)
        if not records:
            return
        ymd = np.array(rows["ymd"], dtype=np.int64)
        # The eight digits of each date (one array operation, not a string per record).
        rows["dig"] = (ymd[:, None] // _DIGIT_PLACES) % 10
        rows["alive"] = np.ones(len(ymd), dtype=bool)
        for k, (t, w) in _COLUMNS.items():
            new = np.asarray(rows[k], dtype=t).reshape((-1, w) if w else -1)
            self.cols[k] = np.concatenate([self.cols[k], new])
        self.addr = np.concatenate([self.addr, np.array(addr, dtype=object)])
        self._alive = self._mid_alive = None
        size = len(self.names.strings) + 1  # last slot counts "no name" (-1)
        self.fn_count = np.pad(self.fn_count, (0, size - len(self.fn_count)))
        self.sn_count = np.pad(self.sn_count, (0, size - len(self.sn_count)))
        self.mid_count = np.pad(self.mid_count, (0, size - len(self.mid_count)))
        np.add.at(self.fn_count, np.array(fn_seen, dtype=np.int64), 1)
        np.add.at(self.sn_count, np.array(sn_seen, dtype=np.int64), 1)
        np.add.at(self.mid_count, np.array(mid_seen, dtype=np.int64), 1)
        self.fn_count[-1] = self.sn_count[-1] = self.mid_count[-1] = 0
        if len(self._delta_keys) > 50_000:
            self.compact()

    def remove(self, ids: Iterable[str]) -> None:
        """Withdraw people (left the roll); their rows stay as tombstones until a rebuild."""
        rows = [self.row_of.pop(i) for i in ids if i in self.row_of]
        if rows:
            self.cols["alive"][np.array(rows)] = False
            self._alive = self._mid_alive = None

    def compact(self) -> None:
        """Merge waiting blocking keys into the sorted key array."""
        if not self._delta_keys:
            return
        keys = np.concatenate([self._keys, np.array(self._delta_keys, dtype=np.int64)])
        rows = np.concatenate([self._rows, np.array(self._delta_rows, dtype=np.int32)])
        order = np.argsort(keys, kind="stable")
        self._keys, self._rows = keys[order], rows[order]
        self._delta_keys, self._delta_rows = [], []

    def households(self) -> list[list[int]]:
        """Brothers and sisters on the roll: the rows of each set of records that share a
        surname and an address (or, with no address, a postcode), two or more to a set."""
        c = self.cols
        groups: dict[tuple, list[int]] = defaultdict(list)
        alive = np.flatnonzero(c["alive"])
        for row, sn, pc, addr in zip(alive, c["sn"][alive, 0], c["pc"][alive], self.addr[alive], strict=True):
            # The address, where there is one: a postcode alone is many homes (in some countries
            # a whole suburb).
            place = addr or (int(pc) if pc >= 0 else "")
            if sn >= 0 and place != "":
                groups[(place, int(sn))].append(int(row))
        return [rows for rows in groups.values() if len(rows) >= 2]

    @contextmanager
    def hidden(self, ids: Iterable[str]) -> Iterator[None]:
        """Leave these records out of every lookup for a while (a model check holds records
        out to make referrals about children on no roll), then put them back."""
        rows = np.array([self.row_of[i] for i in ids if i in self.row_of], dtype=np.int64)
        rows = rows[self.cols["alive"][rows]] if len(rows) else rows
        self.cols["alive"][rows] = False
        self._alive = self._mid_alive = None
        try:
            yield
        finally:
            self.cols["alive"][rows] = True
            self._alive = self._mid_alive = None

    def nbytes(self) -> int:
        """Memory held by the arrays (strings and dictionaries not included)."""
        return sum(a.nbytes for a in self.cols.values()) + self._keys.nbytes + self._rows.nbytes

    # -- lookup ----------------------------------------------------------------------------

    def candidates(self, n: _Norm) -> np.ndarray:
        keys = np.fromiter(_blocking_keys(n, query=True), dtype=np.int64)
        lo = np.searchsorted(self._keys, keys, side="left")
        hi = np.searchsorted(self._keys, keys, side="right")
        chunks = [self._rows[a:b] for a, b in zip(lo, hi, strict=True) if 0 < b - a <= self.max_block]
        if self._delta_keys:
            delta = np.array(self._delta_keys, dtype=np.int64)
            hit = np.isin(delta, keys)
            chunks.append(np.array(self._delta_rows, dtype=np.int32)[hit])
        if not chunks:
            return np.zeros(0, dtype=np.int32)
        rows = np.unique(np.concatenate(chunks))
        return rows[self.cols["alive"][rows]]

    # -- comparison ------------------------------------------------------------------------

    def _name_sims(self, q_strs: Sequence[str], cand: np.ndarray) -> np.ndarray:
        """Best Jaro–Winkler similarity of any query name to any of each candidate's names."""
        out = np.zeros(cand.shape[0])
        if not q_strs or cand.size == 0:
            return out
        # Each name as often as it comes: for a referral's few dozen, cheaper than finding the
        # distinct ones first.
        flat = cand.ravel()
        sims = np.zeros(len(flat))
        valid = flat >= 0
        if valid.any():
            strs = [self.names.strings[i] for i in flat[valid]]
            matrix = process.cdist(list(q_strs), strs, scorer=JaroWinkler.normalized_similarity)
            sims[valid] = matrix.max(axis=0)
        return _rows_max(sims.reshape(cand.shape))

    def _query_ids(self, strs: Sequence[str]) -> np.ndarray:
        return np.array([i for i in (self.names.get(s) for s in strs) if i >= 0], dtype=np.int32)

    def _codes_of(self, strs: Sequence[str]) -> np.ndarray:
        return np.array([self.names.code(nm.phonetic(s)) for s in strs], dtype=np.int32)

    def compare(self, n: _Norm, rows: np.ndarray, names_only: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Comparison levels (rows x 6, -1 = missing) and the rarity of agreeing forename and
        surname (fraction of the index holding it, 0 where they do not agree exactly)."""
        c = self.cols
        k = len(rows)
        mp, first, length = self.names.arrays()
        out = np.empty((k, 6), dtype=np.int8)

        # Forename: legal and preferred against legal and preferred; middle names too.
        fn = c["fn"][rows]
        qf = n.forenames
        qf_ids = self._query_ids(qf)
        related = [i for f in qf for g in groups_of(f) for i in self.names.members.get(g, ())]
        related += [i for f in qf for i in self.names.short_form_ids(f)]
        sims = self._name_sims(qf, fn)
        exact_fn = _isin(fn, qf_ids)
        lev = np.full(k, 7, dtype=np.int8)
        q_first = {ord(f[0]) for f in qf}
        initial = _rows_any(_isin(first[fn], list(q_first)) & ((length[fn] == 1) | any(len(f) == 1 for f in qf)))
        lev[initial] = 6
        lev[sims >= 0.80] = 5
        lev[_rows_any(_isin(mp[fn], self._codes_of(qf)))] = 4
        lev[sims >= 0.92] = 3
        lev[_rows_any(_isin(c["mid"][rows], qf_ids))] = 2
        # ... and the other way round: a full record (a leaver's) against a record that gives the
        # middle name as the forename (the next school's, where the child is known by it).
        if n.middles:
            lev[_rows_any(_isin(fn, self._query_ids(n.middles)))] = 2
        lev[_rows_any(_isin(fn, np.array(related, dtype=np.int32)))] = 1
        lev[_rows_any(exact_fn)] = 0
        lev[(fn[:, 0] < 0) | (not qf)] = -1
        out[:, FN] = lev
        fn_match = np.where(exact_fn[:, 0], fn[:, 0], fn[:, 1])
        fn_tf = np.where(lev == 0, self.fn_count[fn_match], 0)

        # Surname: legal, former and preferred; parts of double-barrelled surnames.
        sn = c["sn"][rows]
        parts = c["parts"][rows]
        qs = n.surnames
        qs_ids = self._query_ids(qs)
        qp_ids = self._query_ids(n.parts)
        sims = self._name_sims(qs, sn)
        exact_sn = _isin(sn, qs_ids)
        lev = np.full(k, 5, dtype=np.int8)
        lev[sims >= 0.80] = 4
        all_codes = self._codes_of((*qs, *n.parts))
        lev[_rows_any(_isin(mp[sn], all_codes)) | _rows_any(_isin(mp[parts], all_codes))] = 3
        lev[sims >= 0.92] = 2
        part = _rows_any(_isin(parts, np.concatenate([qs_ids, qp_ids]))) | _rows_any(_isin(sn, qp_ids))
        lev[part] = 1
        lev[_rows_any(exact_sn)] = 0
        lev[(sn[:, 0] < 0) | (not qs)] = -1
        out[:, SN] = lev
        sn_match = np.where(exact_sn[:, 0], sn[:, 0], np.where(exact_sn[:, 1], sn[:, 1], sn[:, 2]))
        sn_tf = np.where(lev == 0, self.sn_count[sn_match], 0)
        total = max(len(self), 1)
        if names_only:  # the swapped reading of a referral changes only the names
            return out, fn_tf / total, sn_tf / total

        # Date of birth.
        ymd = c["ymd"][rows]
        D = LEVEL["dob"]
        lev = np.full(k, D["different"], dtype=np.int8)
        if n.ymd:
            y, m, d = n.ymd // 10000, n.ymd // 100 % 100, n.ymd % 100
            dig = c["dig"][rows]
            qd = np.array(_digits(n.ymd), dtype=np.int8)
            diff = dig != qd
            count = diff[:, 0].astype(np.int8)
            for j in range(1, 8):
                count += diff[:, j]
            transposed = np.zeros(k, dtype=bool)
            for i in range(7):
                transposed |= diff[:, i] & diff[:, i + 1] & (dig[:, i] == qd[i + 1]) & (dig[:, i + 1] == qd[i])
            cy, cmd = ymd // 10000, ymd % 10000
            # Slips that move the year by two or more make the child another age, which whoever
            # refers a child mostly knows: two such slips are another child; one (or two digits
            # transposed) is "year_digit", which a namesake born on the same day shows too.
            near = np.abs(cy - y) <= 1
            lev[(count == 2) & near] = D["two_digits"]
            slip = (count == 1) | ((count == 2) & transposed)
            lev[slip & ~near] = D["year_digit"]
            lev[slip & near] = D["one_digit_typo"]
            stand_in = (m * 100 + d) in _STAND_IN or _isin(cmd, list(_STAND_IN))
            lev[stand_in & near] = D["year_only"]
            lev[(cmd == m * 100 + d) & (np.abs(cy - y) == 1)] = D["year_off_by_one"]
            if d != m and d <= 12:
                lev[ymd == y * 10000 + d * 100 + m] = D["day_month_swapped"]
            lev[ymd == n.ymd] = D["exact"]
        lev[(ymd == 0) | (not n.ymd)] = -1
        out[:, DOB] = lev

        # Sex.
        sex = c["sex"][rows]
        out[:, SEX] = np.where((sex == 0) | (n.sex == 0), -1, np.where(sex == n.sex, 0, 1))

        # Address and postcode, as one comparison: they are two views of one fact.
        pc = c["pc"][rows]
        addr = self.addr[rows]
        has_addr = np.array([bool(a) for a in addr]) & bool(n.addr)
        addr_same = np.zeros(k, dtype=bool)
        addr_close = np.zeros(k, dtype=bool)
        if has_addr.any():
            scores = process.cdist([n.addr], list(addr[has_addr]), scorer=fuzz.token_set_ratio)[0]
            num = c["num"][rows][has_addr]
            numbers_ok = (num < 0) | (n.num < 0) | (num == n.num)
            addr_same[has_addr] = (scores >= 85) & numbers_ok
            addr_close[has_addr] = ((scores >= 70) & numbers_ok) | (scores >= 85)
        has_pc = pc >= 0
        same_pc = pc == self.codes.get(n.pc) if n.pc else np.zeros(k, dtype=bool)
        lev = np.full(k, 7, dtype=np.int8)
        if n.district:
            lev[c["district"][rows] == self.codes.get(n.district)] = 6
            lev[c["sector"][rows] == self.codes.get(n.sector)] = 5
        lev[addr_close] = 4
        if n.pc and has_pc.any():
            strs = [self.codes.strings[i] for i in pc[has_pc]]
            typo = process.cdist([n.pc], strs, scorer=OSA.distance)[0] == 1
            lev[np.flatnonzero(has_pc)[typo]] = 3
        lev[addr_same] = 2
        lev[same_pc] = 1
        lev[same_pc & addr_same] = 0
        comparable = (bool(n.pc) & (pc >= 0)) | has_addr
        lev[~comparable] = -1
        out[:, ADDR] = lev

        # UPN: a temporary one on either side says nothing against a permanent one.
        upn = c["upn"][rows]
        temp = c["upn_temp"][rows]
        lev = np.full(k, -1, dtype=np.int8)
        if n.upn:
            same = upn == self.codes.get(n.upn)
            lev[(upn >= 0) & ~temp & (not n.upn_temp)] = 2
            lev[same & temp] = 1
            lev[same & ~temp] = 0
        out[:, UPN] = lev
        return out, fn_tf / total, sn_tf / total

    def middle(self, n: _Norm, rows: np.ndarray, forename: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The middle-name comparison's levels (-1 where either record gives none, or where the
        `forename` level is already "middle_name"), and the share of the records giving middle
        names that hold the agreeing one (0 where none agrees exactly)."""
        k = len(rows)
        lev = np.full(k, -1, dtype=np.int8)
        freq = np.zeros(k)
        if not n.middles or not k:
            return lev, freq
        M = LEVEL["middle_name"]
        mid = self.cols["mid"][rows]
        given = mid[:, 0] >= 0
        lev[given] = M["different"]
        lev[given & (self._name_sims(n.middles, mid) >= 0.92)] = M["close_spelling"]
        _, first, length = self.names.arrays()
        q_first = [ord(m[0]) for m in n.middles]
        short = any(len(m) == 1 for m in n.middles)
        lev[given & _rows_any(_isin(first[mid], q_first) & ((length[mid] == 1) | short))] = M["initial"]
        exact = _isin(mid, self._query_ids(n.middles))
        lev[_rows_any(exact)] = M["same"]
        lev[forename == LEVEL["forename"]["middle_name"]] = -1
        agreeing = np.where(exact[:, 0], mid[:, 0], mid[:, 1])
        freq = np.where(lev == M["same"], self.mid_count[agreeing], 0) / max(self.with_middles(), 1)
        return lev, freq

    def timing(self, n: _Norm, rows: np.ndarray) -> np.ndarray:
        """The timing comparison's levels (-1 where either date is missing)."""
        entered = self.cols["entered"][rows]
        lev = np.full(len(rows), -1, dtype=np.int8)
        if not n.left:
            return lev
        T = LEVEL["timing"]
        days = entered.astype(np.int64) - n.left
        intake = self.cols["intake"][rows]
        lev[days > TIMING_YEAR] = T["long_after"]
        lev[days <= TIMING_YEAR] = T["within_a_year"]
        lev[days < TIMING_SOON[0]] = T["before"]
        lev[(days >= TIMING_SOON[0]) & (days <= TIMING_INTAKE_SOON) & intake] = T["intake_soon"]
        lev[(days >= TIMING_SOON[0]) & (days <= TIMING_SOON[1]) & ~intake] = T["in_year_soon"]
        lev[entered == 0] = -1
        return lev


# ---------------------------------------------------------------------------------------------
# Model

# What else a referral can be about, besides a child in the index or a child unrelated to all of
# them (issue 8). Defaults until an authority's own referrals say otherwise; `train` estimates
# them. UNVERIFIED: no published figure gives these shares for English CME referrals; they are
# settings of the model file, not facts.
DEFAULT_SIBLING_RATE = 0.15  # a brother or sister, on no roll, of a child in the index
DEFAULT_NAMESAKE_RATE = 0.05  # a child on no roll who shares a rolled child's name
# Bounds on the shares, whatever the referrals a model was trained on. A model trained on
# referrals that were nearly all about rolled children (a school's, or the screening's) would
# otherwise expect every referral to be on a roll, and link the thin ones, siblings' among them.
# Some referrals are always about children on no roll, some about a brother or sister or a
# namesake; erring that way costs an officer a check, erring the other way costs a child.
RATE_BOUNDS = {"child": (1e-3, 0.95), "sibling": (0.02, 0.5), "namesake": (0.01, 0.5)}
MIN_UNRELATED_RATE = 0.05
# In an English roll about half the pupils have a brother or sister on a roll of the same LA.
# A roll with far fewer households (a list built without addresses, a research data set) says
# that brothers and sisters are not what its referrals are about: the bounds of the sibling
# share scale down with the share of records in a household (to none for a roll with none).
TYPICAL_HOUSEHOLD_SHARE = 0.2
DEFAULT_HOUSEHOLD_SHARE = 0.5
# What a bit of evidence is worth, the fields not being independent. Measured: on every set of
# bench/matching.py (CME-like rolls with 40% and 70% of referrals on no roll, the separately
# written messy set, FEBRL4) 0.8 keeps every probability band honest at no cost in F1 or wrong
# links, where full weight (1.0) left the middle bands about twice too sure. A model file may
# set its own.
DEFAULT_EVIDENCE_SCALE = 0.8
# The scales `fit_evidence_scale` tries: 0.6 to 1.2 by 0.05.
EVIDENCE_SCALES = tuple(round(0.6 + 0.05 * k, 2) for k in range(13))
# Fewer checked referrals than this say too little to move the scale from the model's.
MIN_LABELLED = 200


def clip_rates(child: float, sibling: float, namesake: float,
               household_share: float = DEFAULT_HOUSEHOLD_SHARE) -> tuple[float, float, float, float]:
    """The three shares within RATE_BOUNDS (the sibling bounds scaled by how many records of
    the roll live with a brother or sister), leaving at least MIN_UNRELATED_RATE for an
    unrelated child on no roll; the fourth value is that share."""
    scale = min(1.0, household_share / TYPICAL_HOUSEHOLD_SHARE)
    bounds = [RATE_BOUNDS["child"], (RATE_BOUNDS["sibling"][0] * scale, RATE_BOUNDS["sibling"][1] * scale),
              RATE_BOUNDS["namesake"]]
    shares = [min(max(v, lo), hi) for v, (lo, hi) in zip((child, sibling, namesake), bounds, strict=True)]
    spare = 1.0 - MIN_UNRELATED_RATE
    if sum(shares) > spare:
        shares = [v * spare / sum(shares) for v in shares]
    return shares[0], shares[1], shares[2], 1.0 - sum(shares)


def _with_new_levels(name: str, given: dict[str, float], defaults: dict[str, list[float]]) -> list[float]:
    levels = [lv.name for lv in COMPARISONS[name]]
    added = sum(defaults[name][i] for i, lv in enumerate(levels) if lv not in given)
    total = sum(given.values())
    scale = (1.0 - added) / total if added and total > 0 and name != "name_order" else 1.0
    return [given[lv] * scale if lv in given else defaults[name][i] for i, lv in enumerate(levels)]


@dataclass
class Model:
    """m and u of every comparison level, and how often a referral is about a child in the
    index (prior_match_rate), a brother or sister of one (sibling_rate) or a namesake of one
    (namesake_rate). Format 2; files of format 1 read with the default rates."""

    m: dict[str, list[float]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_M.items()})
    u: dict[str, list[float]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_U.items()})
    prior_match_rate: float = 0.5
    sibling_rate: float = DEFAULT_SIBLING_RATE
    namesake_rate: float = DEFAULT_NAMESAKE_RATE
    # How a brother's or sister's forename, birthday and sex compare (DEFAULT_S).
    s: dict[str, list[float]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_S.items()})
    # Share of the roll's records with a brother or sister on it (measured by training).
    household_share: float = DEFAULT_HOUSEHOLD_SHARE
    evidence_scale: float = DEFAULT_EVIDENCE_SCALE
    term_frequency: bool = True
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    trained_on: dict = field(default_factory=dict)

    def weights(self) -> list[np.ndarray]:
        """log2(m/u) per level, with a trailing 0 that a missing level (-1) picks up."""
        tables = []
        for name in NAMES:
            m = np.clip(np.array(self.m[name]), 1e-12, 1.0)
            u = np.clip(np.array(self.u[name]), 1e-12, 1.0)
            w = np.log2(m / u)
            if name == "upn":
                w[0] = min(w[0], UPN_MAX_WEIGHT)
                w[1] = min(w[1], TEMPORARY_UPN_MAX_WEIGHT)
            if name == "dob":
                w[DOB_YEAR_ONLY] = STAND_IN_YEAR_WEIGHT
            tables.append(np.append(w, 0.0))
        return tables

    def rates(self) -> tuple[float, float, float, float]:
        """The shares of referrals about: a child in the index, a brother or sister of one, a
        namesake of one, and an unrelated child on no roll; clipped so that each stays possible."""
        return clip_rates(self.prior_match_rate, self.sibling_rate, self.namesake_rate, self.household_share)

    def to_dict(self) -> dict:
        return {
            "format": "cme-matching-model",
            "version": MODEL_FORMAT,
            "engine_version": ENGINE_VERSION,
            "created": self.created,
            "trained_on": self.trained_on,
            "parameters": {
                "prior_match_rate": self.prior_match_rate,
                "sibling_rate": self.sibling_rate,
                "namesake_rate": self.namesake_rate,
                "sibling_comparisons": {
                    name: [{"level": COMPARISONS[name][i].name, "s": v} for i, v in enumerate(values)]
                    for name, values in self.s.items()
                },
                "household_share": self.household_share,
                "evidence_scale": self.evidence_scale,
                "term_frequency_adjustments": self.term_frequency,
                "comparisons": {
                    name: [
                        {"level": lv.name, "outcome": lv.outcome, "m": self.m[name][i], "u": self.u[name][i]}
                        for i, lv in enumerate(levels)
                    ]
                    for name, levels in COMPARISONS.items()
                },
            },
        }

    @classmethod
    def from_dict(cls, data: dict) -> Model:
        if data.get("format") != "cme-matching-model" or data.get("version") not in READABLE_FORMATS:
            raise ValueError(
                f"Not a matching model this engine can read (format {data.get('format')!r}, "
                f"version {data.get('version')!r}; expected version {MODEL_FORMAT})"
            )
        params = data["parameters"]
        m, u = {}, {}
        for name, levels in COMPARISONS.items():
            if name in ADDED_COMPARISONS and name not in params["comparisons"]:
                m[name], u[name] = list(DEFAULT_M[name]), list(DEFAULT_U[name])
                continue
            given = {g["level"]: g for g in params["comparisons"].get(name) or []}
            names = [lv.name for lv in levels]
            if not given or set(given) - set(names) or [n for n in names if n in given] != list(given):
                raise ValueError(f"The model's levels for {name} do not match this engine's")
            # A level added since the file was written (format 1 had no "year_digit" or
            # "year_only") takes the
            # engine's default, and the others are scaled to leave room for it.
            m[name] = _with_new_levels(name, {k: float(g["m"]) for k, g in given.items()}, DEFAULT_M)
            u[name] = _with_new_levels(name, {k: float(g["u"]) for k, g in given.items()}, DEFAULT_U)
        return cls(
            m=m, u=u, prior_match_rate=float(params["prior_match_rate"]),
            sibling_rate=float(params.get("sibling_rate", DEFAULT_SIBLING_RATE)),
            namesake_rate=float(params.get("namesake_rate", DEFAULT_NAMESAKE_RATE)),
            s={name: _with_new_levels(name, {g["level"]: float(g["s"]) for g in params["sibling_comparisons"][name]}, DEFAULT_S)
               if name in params.get("sibling_comparisons", {}) else list(DEFAULT_S[name]) for name in DEFAULT_S},
            household_share=float(params.get("household_share", DEFAULT_HOUSEHOLD_SHARE)),
            # Format 1 models summed evidence in full.
            evidence_scale=float(params.get("evidence_scale", 1.0 if data.get("version") == 1 else DEFAULT_EVIDENCE_SCALE)),
            term_frequency=bool(params.get("term_frequency_adjustments", True)),
            created=data["created"], trained_on=data.get("trained_on", {}),
        )

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Model:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


# ---------------------------------------------------------------------------------------------
# Scoring


@dataclass(frozen=True)
class Evidence:
    """How one comparison moved the score of a candidate."""

    field: str
    outcome: str  # agrees, similar, disagrees, missing; "prior" for the starting point
    level: str
    weight: float  # bits of evidence (log2 of the likelihood ratio) this comparison added
    description: str


@dataclass(frozen=True)
class Candidate:
    id: str
    probability: float
    match_weight: float
    evidence: tuple[Evidence, ...]
    # Surname and address agree with the referral's: this record's household is the referred
    # child's, whether or not the record is the child (a brother or sister may be).
    household: bool = False


# The explanations a referral is weighed against, besides "this record is the child".
ALTERNATIVES = {
    "other_candidates": "other records fit the referral too",
    "sibling": "a brother or sister of this child, on no roll, may be the one referred (same surname and address)",
    "namesake": "another child with the same name may be the one referred",
}


@dataclass(frozen=True)
class Scored:
    """A referral's candidate rows and, for each, the log2 likelihood ratio against "an
    unrelated child on no roll" of three explanations: the record is the child; the child is a
    brother or sister of the record (shares the household's surname and address, not the
    forename or birthday); the child is a namesake of the record (shares the name, nothing else).
    `priors` are the log2 prior odds of each, for one record."""

    rows: np.ndarray
    levels: np.ndarray  # rows x comparisons (NAMES): levels, -1 missing
    weights: np.ndarray  # rows x comparisons: bits each adds for "the record is the child"
    evidence: np.ndarray  # rows x 3: child, sibling, namesake
    priors: tuple[float, float, float]

    @property
    def child(self) -> np.ndarray:
        return self.evidence[:, 0] + self.priors[0]

    @property
    def sibling(self) -> np.ndarray:
        return self.evidence[:, 1] + self.priors[1]

    @property
    def namesake(self) -> np.ndarray:
        return self.evidence[:, 2] + self.priors[2]


def _household(levels: np.ndarray) -> np.ndarray:
    """Rows (of levels) whose surname and address fit the referral's: the child's household."""
    return np.isin(levels[:, SN], SURNAME_FITS) & np.isin(levels[:, ADDR], ADDRESS_FITS)


def _mass(odds: np.ndarray, top: float) -> np.ndarray:
    return np.exp2(np.clip(odds - top, -1000.0, 0.0))


class Matcher:
    """Scores a referral against an index with a model: the officer's "is this child on a roll?".

    Fellegi–Sunter treats each agreeing field as independent evidence; but a brother or sister
    agrees on surname, address and postcode as well as the child does, and a namesake on both
    names. So each candidate is weighed against three rivals, not one: an unrelated child, a
    brother or sister of the candidate who is on no roll (the household's fields carry no
    evidence between the two: only forename, date of birth, sex and UPN do), and a namesake (only
    date of birth, address, sex and UPN do). The probability that the candidate is the child is
    its share of all the explanations' weight, so a referral that fits a household, or a name,
    better than it fits a child gets a low probability however well it fits the household.
    """

    def __init__(self, model: Model, index: Index):
        self.model = model
        self.index = index
        self.refresh_model()

    def refresh_model(self) -> None:
        self._w = self.model.weights()
        self._u_exact = (self.model.u["forename"][0], self.model.u["surname"][0], self.model.u["middle_name"][0])
        # log2(s / u) for a brother's or sister's forename, birthday and sex; a missing field
        # (level -1) adds nothing. A stand-in date says as little of a sibling as of anyone.
        self._sibling = {}
        for name, col in SIBLING_FIELDS.items():
            s_ = np.clip(np.array(self.model.s[name]), 1e-9, 1.0)
            u_ = np.clip(np.array(self.model.u[name]), 1e-9, 1.0)
            self._sibling[col] = np.append(np.log2(s_ / u_), 0.0)
        self._sibling[DOB][DOB_YEAR_ONLY] = 0.0

    def _priors(self) -> tuple[float, float, float]:
        """log2 prior odds, against "an unrelated child on no roll", that the referral is about
        one given record, a brother or sister of it, or a namesake of it: each share of
        referrals spread evenly over the records."""
        child, sibling, namesake, unrelated = self.model.rates()
        n = max(len(self.index), 1)
        # A share of 0 (no sibling where the roll has no households) is an odds of 2^-1000.
        return tuple(math.log2(max(rate, 2.0 ** -1000) / n / unrelated) for rate in (child, sibling, namesake))  # type: ignore[return-value]

    def _tf(self, freq: np.ndarray, u_exact: float) -> np.ndarray:
        """Splink's term frequency adjustment: log2(u / frequency of the agreeing value)."""
        if not self.model.term_frequency:
            return np.zeros(len(freq))
        floor = 1 / max(len(self.index), 1)
        return np.where(freq > 0, np.log2(u_exact / np.maximum(freq, floor)), 0.0)

    def _levels(self, n: _Norm, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Levels (every comparison of NAMES) and the name adjustments for how common the
        agreeing forename, surname and middle name are (rows x 3): the referral read as given or
        with its forename and surname swapped, whichever fits each candidate better."""
        w = self._w
        lev, fn_tf, sn_tf = self.index.compare(n, rows)
        names = w[FN][lev[:, FN]] + w[SN][lev[:, SN]]
        adj = np.stack([self._tf(fn_tf, self._u_exact[0]), self._tf(sn_tf, self._u_exact[1])], axis=1)
        order = np.zeros(len(rows), dtype=np.int8)
        if n.forenames and n.surnames and len(rows):
            s_lev, s_fn, s_sn = self.index.compare(_swapped(n), rows, names_only=True)
            s_adj = np.stack([self._tf(s_fn, self._u_exact[0]), self._tf(s_sn, self._u_exact[1])], axis=1)
            s_names = w[FN][s_lev[:, FN]] + w[SN][s_lev[:, SN]] + w[ORDER][1]
            better = s_names + s_adj[:, 0] + s_adj[:, 1] > names + adj[:, 0] + adj[:, 1] + w[ORDER][0]
            if better.any():
                lev[better, FN] = s_lev[better, FN]
                lev[better, SN] = s_lev[better, SN]
                adj[better] = s_adj[better]
                order[better] = 1
        mid, mid_freq = self.index.middle(n, rows, lev[:, FN])
        adj = np.concatenate([adj, self._tf(mid_freq, self._u_exact[2])[:, None]], axis=1)
        return np.concatenate([lev, order[:, None], self.index.timing(n, rows)[:, None], mid[:, None]], axis=1), adj

    def score(self, n: _Norm, rows: np.ndarray, *, silent_when_different: tuple[int, ...] = (),
              unweighed: tuple[int, ...] = ()) -> Scored:
        """Every candidate row weighed as the child, as a brother or sister of the child, and as
        a namesake of the child. `silent_when_different`: comparisons (ADDR, UPN) whose
        disagreement says nothing here, weighed as if missing while agreement still counts (the
        child's record at the next school, after a move of house). `unweighed`: comparisons the
        caller weighs by its own rules, weighed here as if missing."""
        w = self._w
        lev, adj = self._levels(n, rows)
        for col in silent_when_different:
            lev[lev[:, col] == len(COMPARISONS[NAMES[col]]) - 1, col] = -1
        for col in unweighed:
            lev[:, col] = -1
        weights = np.empty(lev.shape, dtype=float)
        for col in range(len(NAMES)):
            weights[:, col] = w[col][lev[:, col]]
        weights[:, FN] += adj[:, 0]
        weights[:, SN] += adj[:, 1]
        weights[:, MIDDLE] += np.where(lev[:, MIDDLE] >= 0, adj[:, 2], 0.0)
        # The same forename (or a form of it) already says the sex; agreeing on sex then adds
        # nothing, or a namesake would gain a bit for it.
        same_name = (lev[:, FN] == FN_EXACT) | (lev[:, FN] == FN_VARIANT)
        weights[same_name & (lev[:, SEX] == SEX_SAME), SEX] = 0.0
        # Fields are not independent given the child (a misspelt name comes with a misspelt
        # street; a form filled from memory gets several things a little wrong): summed as if
        # they were, evidence overstates itself. Each bit counts `evidence_scale` of a bit.
        weights *= self.model.evidence_scale
        evidence = weights.sum(axis=1)
        # A brother or sister moves house, and school, with the child: the household's timing
        # is shared as its address is.
        sibling = weights[:, SN] + weights[:, ADDR] + weights[:, TIMING]
        for col, table in self._sibling.items():
            sibling = sibling + self.model.evidence_scale * table[lev[:, col]]
        namesake = weights[:, FN] + weights[:, SN] + weights[:, ORDER] + weights[:, SEX]
        return Scored(rows, lev, weights, np.stack([evidence, sibling, namesake], axis=1), self._priors())

    @staticmethod
    def posterior(child: np.ndarray, sibling: np.ndarray, namesake: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Probability that each candidate is the child, and the log2 weight of the other
        explanations ("rivals") it competes with: P(j) = 2^c_j / (1 + sum of 2^c_k, 2^s_k, 2^n_k
        over every candidate k), the 1 being "an unrelated child on no roll"."""
        top = max(0.0, float(child.max()), float(sibling.max()), float(namesake.max()))
        mine = _mass(child, top)
        total = float(mine.sum() + _mass(sibling, top).sum() + _mass(namesake, top).sum())
        others = np.maximum(total - mine, 0.0) + 2.0 ** -min(top, 1000.0)
        rivals = np.maximum(top + np.log2(np.maximum(others, 1e-300)), 0.0)
        return 1.0 / (1.0 + np.exp2(np.clip(rivals - child, -1000, 1000))), rivals

    @staticmethod
    def _shares(child: np.ndarray, sibling: np.ndarray, namesake: np.ndarray, j: int) -> dict[str, float]:
        """How the rivals of candidate j divide between the other explanations."""
        top = max(float(child.max()), float(sibling.max()), float(namesake.max()))
        others = _mass(child, top)
        others[j] = 0.0
        parts = {
            "other_candidates": float(others.sum()),
            "sibling": float(_mass(sibling, top).sum()),
            "namesake": float(_mass(namesake, top).sum()),
        }
        total = sum(parts.values())
        return {k: v / total for k, v in parts.items()} if total > 0 else {}

    def rank(self, person: Person, *, limit: int = 10, min_probability: float = 0.0,
             same_child=None) -> list[Candidate]:
        """Candidates for one referral, best first, each with its evidence field by field.

        `same_child(record_id)` names the child a record reads: records of one child (a former
        name, a former UPN) count once, by the best of them, so that a child's own readings
        never compete with it as "others who fit too".
        """
        n = normalise(person)
        rows = self.index.candidates(n)
        if not len(rows):
            return []
        s = self.score(n, rows)
        order = np.argsort(-s.child, kind="stable")
        if same_child is not None:
            seen: set[str] = set()
            keep_list = []
            for t in order:
                child = same_child(self.index.ids[rows[t]])
                if child not in seen:
                    seen.add(child)
                    keep_list.append(int(t))
            order = np.array(keep_list, dtype=np.int64)
        child, sibling, namesake = s.child[order], s.sibling[order], s.namesake[order]
        probability, rivals = self.posterior(child, sibling, namesake)
        # Below `min_probability` a candidate is shown only if its household is the referred
        # child's: the officer needs to see that the family is on a roll, and who is.
        household = _household(s.levels[order])
        out = []
        for j in np.flatnonzero((probability >= min_probability) | household)[:limit]:
            shares = self._shares(child, sibling, namesake, j) if rivals[j] > 0.01 else {}
            out.append(self._explain(s, int(order[j]), float(probability[j]), float(rivals[j]), shares))
        return out

    def match(self, person: Person, limit: int = 10, min_probability: float = 0.0) -> list[Candidate]:
        """Candidates for one referral, best first, each with its evidence field by field."""
        return self.rank(person, limit=limit, min_probability=min_probability)

    def best(self, person: Person) -> tuple[str | None, float]:
        """The single best candidate's id and probability, without explanations (batch use)."""
        n = normalise(person)
        return self.best_among(n, self.index.candidates(n))

    def best_among(self, n: _Norm, rows: np.ndarray) -> tuple[str | None, float]:
        """`best` over candidate rows chosen by the caller (in row order)."""
        if not len(rows):
            return None, 0.0
        s = self.score(n, rows)
        probability, _ = self.posterior(s.child, s.sibling, s.namesake)
        t = int(np.argmax(probability))
        return self.index.ids[rows[t]], float(probability[t])

    def _explain(self, s: Scored, t: int, prob: float, rivals: float, shares: dict[str, float]) -> Candidate:
        lev = s.levels[t]
        evidence = [Evidence("prior", "prior", "starting point", round(s.priors[0], 2),
                             "how likely any one record is to be the child before comparing")]
        for col, name in enumerate(NAMES):
            level = int(lev[col])
            if level < 0:
                if name not in ("timing", "middle_name"):  # seldom both given: nothing to say
                    evidence.append(Evidence(name, "missing", "missing", 0.0, "not given on one side"))
                continue
            if name == "name_order" and level == 0:
                continue  # nothing to say when the names are in the usual order
            lv = COMPARISONS[name][level]
            weight = float(s.weights[t, col])
            tf = col in (FN, SN, MIDDLE) and abs(weight - self.model.evidence_scale * float(self._w[col][level])) > 1e-9
            label = lv.label + (" (weighed by how common the name is)" if tf else "")
            evidence.append(Evidence(name, lv.outcome, lv.name, round(weight, 2), label))
        for alternative, share in shares.items():
            if share * rivals >= 0.01:
                evidence.append(Evidence(alternative, "disagrees", "others fit too", round(-rivals * share, 2),
                                         ALTERNATIVES[alternative]))
        return Candidate(self.index.ids[s.rows[t]], prob, round(float(s.child[t]) - rivals, 2),
                         tuple(evidence), bool(_household(lev[None, :])[0]))


# ---------------------------------------------------------------------------------------------
# Training


def _sample_u(index: Index, roll: Sequence[Person], rng: np.random.Generator, pairs: int,
              referrals: Sequence[Person] = ()) -> tuple[dict, int]:
    """Level counts over random pairs of the roll: nearly all are different children. The
    timing's over referrals with a leaving date against random records of the roll, the roll's
    own records having none."""
    counts = {name: np.zeros(len(COMPARISONS[name])) for name in NAMES}
    total = len(index.ids)
    if total < 2 or not roll:
        return counts, 0
    n_queries = min(len(roll), 2000)
    per = max(min(pairs // n_queries, total - 1), 1)
    seen = 0
    for i in rng.choice(len(roll), size=n_queries, replace=False):
        rows = rng.integers(0, total, size=per).astype(np.int32)
        rows = rows[rows != index.row_of.get(roll[i].id, -1)]
        n = normalise(roll[i])
        lev, _, _ = index.compare(n, rows)
        for col, name in enumerate(NAMES[:RECORD_FIELDS]):
            counts[name] += np.bincount(lev[:, col][lev[:, col] >= 0], minlength=len(COMPARISONS[name]))
        mid = index.middle(n, rows, lev[:, FN])[0]
        counts["middle_name"] += np.bincount(mid[mid >= 0], minlength=len(COMPARISONS["middle_name"]))
        seen += len(rows)
    leaving = [p for p in referrals if p.leaving_date]
    if leaving:
        for i in rng.choice(len(leaving), size=min(len(leaving), 2000), replace=False):
            lev = index.timing(normalise(leaving[i]), rng.integers(0, total, size=per).astype(np.int32))
            counts["timing"] += np.bincount(lev[lev >= 0], minlength=len(COMPARISONS["timing"]))
    return counts, seen


def _sample_siblings(index: Index, roll: Sequence[Person], groups: list[list[int]], rng: np.random.Generator,
                     max_pairs: int = 20_000) -> tuple[dict[str, np.ndarray], int]:
    """Level counts of forename, birthday and sex over pairs of brothers and sisters on the roll."""
    counts = {name: np.zeros(len(COMPARISONS[name])) for name in SIBLING_FIELDS}
    person_at = {index.row_of[p.id]: p for p in roll if p.id in index.row_of}
    pairs = [(a, b) for g in groups for i, a in enumerate(g) for b in g[i + 1:]]
    if len(pairs) > max_pairs:
        pairs = [pairs[i] for i in rng.choice(len(pairs), max_pairs, replace=False)]
    for a, b in pairs:
        if a not in person_at:
            continue
        lev, _, _ = index.compare(normalise(person_at[a]), np.array([b], dtype=np.int32))
        for name, col in SIBLING_FIELDS.items():
            if lev[0, col] >= 0:
                counts[name][lev[0, col]] += 1
    return counts, len(pairs)


def _em(levels: np.ndarray, cols: list[int], m0: list[np.ndarray], u: list[np.ndarray],
        alpha: float = 20.0, iterations: int = 40, shared: Sequence[int] = ()) -> dict[int, np.ndarray]:
    """Expectation maximisation of m (u fixed) on blocked pairs; a Dirichlet prior keeps m near
    its starting value where the data say little. Returns m per column.

    With `shared` columns a third class joins the match and the non-match: a brother or sister,
    who agrees on those columns as the child does (m) and on the rest as anyone does (u). Pairs
    that share a birthday include twins; without the third class their different forenames
    would be learnt as something the child's own records often show.
    """
    if not len(levels):
        return {}
    patterns, counts = np.unique(levels[:, cols], axis=0, return_counts=True)
    m = {c: np.array(m0[c], dtype=float) for c in cols}
    lam = np.array([0.3, 0.6, 0.1]) if shared else np.array([0.5, 0.5, 0.0])
    for _ in range(iterations):
        logs = np.zeros((3, len(patterns)))
        for j, c in enumerate(cols):
            lv = patterns[:, j]
            ok = lv >= 0
            logs[0, ok] += np.log(m[c][lv[ok]])
            logs[1, ok] += np.log(u[c][lv[ok]])
            logs[2, ok] += np.log((m[c] if c in shared else u[c])[lv[ok]])
        logs += np.log(np.maximum(lam, 1e-300))[:, None]
        logs -= logs.max(axis=0)
        resp = np.exp(logs)
        resp /= resp.sum(axis=0)
        weight = resp * counts
        lam = np.clip(weight.sum(axis=1) / counts.sum(), 1e-9, 1.0)
        if not shared:
            lam[2] = 0.0
        lam /= lam.sum()
        for j, c in enumerate(cols):
            lv = patterns[:, j]
            ok = lv >= 0
            w = weight[0] + (weight[2] if c in shared else 0.0)
            num = np.bincount(lv[ok], weights=w[ok], minlength=len(m[c]))
            m[c] = (num + alpha * np.array(m0[c])) / (num.sum() + alpha)
    return m


def _ceiling(name: str, m: np.ndarray, households: bool) -> np.ndarray:
    """m with its "different" level held at MAX_M_DIFFERENT (only where the roll has households,
    whose twins and siblings EM would take for the child) and a date's "year_digit" at
    MAX_M_YEAR_DIGIT, the rest scaled to make it up."""
    caps = {"different": MAX_M_DIFFERENT.get(name)} if households else {}
    if name == "dob":
        caps["year_digit"] = MAX_M_YEAR_DIGIT
    out = np.array(m, dtype=float)
    for level, cap in caps.items():
        i = LEVEL[name].get(level)
        if cap is None or i is None or out[i] <= cap:
            continue
        rest = 1.0 - out[i]
        out[i] = cap
        others = np.arange(len(out)) != i
        out[others] *= (1.0 - cap) / rest if rest > 0 else 0.0
    return out


# Below this share of records in a household, a roll is taken to have none (a list without
# addresses, a research data set): twins and siblings are then no reason to cap m.
HOUSEHOLD_MIN_SHARE = 0.005


# Referrals' worth of the default rates that the estimate starts from: a handful of referrals
# cannot move the rates far on their own.
RATE_PSEUDO_REFERRALS = 50


def _estimate_rates(scored: list[Scored], n_roll: int, household_share: float,
                    iterations: int = 60) -> tuple[float, float, float]:
    """How often a referral is about a child in the index, a brother or sister of one, or a
    namesake of one: EM on those three shares, each referral's candidates weighed by the trained
    weights (a referral is about one child at most)."""
    default = np.array([0.5, DEFAULT_SIBLING_RATE, DEFAULT_NAMESAKE_RATE])
    if not scored:
        return float(default[0]), float(default[1]), float(default[2])
    rates = default.copy()
    for _ in range(iterations):
        *shares, unrelated = clip_rates(*rates, household_share)
        log_priors = np.log2(np.maximum(np.array(shares), 2.0 ** -1000) / max(n_roll, 1) / unrelated)
        totals = np.zeros(3)
        for s in scored:
            odds = s.evidence + log_priors  # rows x 3
            top = max(0.0, float(odds.max()))
            mass = np.exp2(odds - top).sum(axis=0)
            totals += mass / (mass.sum() + 2.0 ** -min(top, 1000.0))
        rates = (totals + RATE_PSEUDO_REFERRALS * default) / (len(scored) + RATE_PSEUDO_REFERRALS)
    child, sibling, namesake, _ = clip_rates(*rates, household_share)
    return child, sibling, namesake


def train(roll: Sequence[Person], referrals: Sequence[Person] = (), *, seed: int = 0,
          u_pairs: int = 400_000, max_queries: int = 20_000, index: Index | None = None) -> Model:
    """Estimate a model from the LA's own data.

    u comes from random pairs of `roll`. m comes from EM on candidate pairs between `referrals`
    and the roll (or, with no referrals, within the roll: the same child on two rolls). `index`
    may be passed when it was built from exactly `roll`, to save building it twice.
    """
    rng = np.random.default_rng(seed)
    index = index or Index(roll)
    counts, seen = _sample_u(index, roll, rng, u_pairs, referrals)
    beta = 200.0  # pseudo-pairs: with a tiny roll the defaults still hold
    u = {}
    for name in NAMES:
        prior = np.array(DEFAULT_U[name])
        if name == "name_order":
            u[name] = prior
            continue
        c = counts[name]
        u[name] = (c + beta * prior) / (c.sum() + beta)

    link = bool(referrals)
    if link:
        queries = [normalise(p) for p in referrals]
        if len(queries) > max_queries:
            queries = [queries[i] for i in rng.choice(len(queries), max_queries, replace=False)]
        own = [-1] * len(queries)
    else:
        picks = rng.choice(len(roll), size=min(len(roll), max_queries), replace=False)
        queries = [normalise(roll[i]) for i in picks]
        own = [index.row_of.get(roll[i].id, -1) for i in picks]
    blocks = []
    candidate_rows = []
    for q, self_row in zip(queries, own, strict=True):
        rows = index.candidates(q)
        rows = rows[rows != self_row]
        if len(rows):
            lev = index.compare(q, rows)[0]
            # Name order is not learnt (a swap is judged on the names); timing and middle names are.
            blocks.append(np.concatenate([lev, np.full((len(rows), 1), -1, dtype=np.int8), index.timing(q, rows)[:, None],
                                          index.middle(q, rows, lev[:, FN])[0][:, None]], axis=1))
            candidate_rows.append((q, rows))
    levels = np.concatenate(blocks) if blocks else np.zeros((0, len(NAMES)), dtype=np.int8)

    m0 = [np.array(DEFAULT_M[name]) for name in NAMES]
    uu = [u[name] for name in NAMES]
    groups = index.households()
    household_share = sum(len(g) for g in groups) / max(len(index), 1)
    households = household_share >= HOUSEHOLD_MIN_SHARE
    s_counts, sibling_pairs = _sample_siblings(index, roll, groups, rng)
    # Round 1, pairs that share a date of birth: learns everything but the date of birth. Twins
    # share it too, and the household's surname and address: a class of their own.
    by_dob = levels[levels[:, DOB] == DOB_EXACT]
    # A household moves school together: its timing is shared as its address is.
    m_dob = _em(by_dob, [FN, SN, SEX, ADDR, UPN, TIMING, MIDDLE], m0, uu,
                shared=(SN, ADDR, TIMING) if households else ())
    # Round 2, pairs that share forename and surname: learns the date of birth and the rest.
    # Only pairs with both dates: without one, a namesake elsewhere (names agree, address not)
    # reads as the child who moved, and would teach that children move more than they do.
    by_name = levels[(levels[:, FN] == FN_EXACT) & (levels[:, SN] == LEVEL["surname"]["exact"])
                     & (levels[:, DOB] >= 0)]
    m_name = _em(by_name, [DOB, SEX, ADDR, UPN, TIMING, MIDDLE], m0, uu)
    m = {}
    for col, name in enumerate(NAMES):
        estimates = [r[col] for r in (m_dob, m_name) if col in r]
        m[name] = _ceiling(name, np.mean(estimates, axis=0) if estimates else m0[col], households)
    # The roll's brothers and sisters, starting from the defaults as 100 pairs' worth.
    s_ = {name: (s_counts[name] + 100 * np.array(DEFAULT_S[name])) / (s_counts[name].sum() + 100) for name in DEFAULT_S}
    model = Model(
        m={k: [float(x) for x in v] for k, v in m.items()},
        u={k: [float(x) for x in v] for k, v in u.items()},
        s={k: [float(x) for x in v] for k, v in s_.items()},
        household_share=household_share,
    )
    if link and candidate_rows:
        # The shares are estimated under the model's own (naive, full-weight) likelihood, as m
        # and u are; evidence_scale calibrates the posterior afterwards, at scoring time.
        matcher = Matcher(replace(model, evidence_scale=1.0), index)
        scored = [matcher.score(q, rows) for q, rows in candidate_rows]
        rates = _estimate_rates(scored, len(index), model.household_share)
        # Referrals with no candidate at all are about children on no roll, unrelated to any.
        share = len(scored) / len(queries)
        model.prior_match_rate, model.sibling_rate, model.namesake_rate = (r * share for r in rates)
    return replace(
        model,
        trained_on={
            "roll_records": len(roll), "referrals": len(referrals), "mode": "link" if link else "dedupe",
            "random_pairs": seen, "blocked_pairs": len(levels),
            "pairs_sharing_dob": len(by_dob), "pairs_sharing_name": len(by_name), "seed": seed,
            "household_share": round(household_share, 4), "sibling_pairs": sibling_pairs,
        },
    )


# ---------------------------------------------------------------------------------------------
# Checking a model before it is used


def _same(record_id: str) -> str:
    return record_id


def holdout_calibration(model: Model, index: Index, holdout: Holdout,
                        same_child: Callable[[str], str] = _same) -> Calibration:
    """How the model's best candidates fare on labelled referrals made from the index's own
    records (cme.matching.holdout), with the held-out children taken out meanwhile."""
    matcher = Matcher(model, index)
    held = set(holdout.held_out)
    hide = [rid for rid in index.row_of if same_child(rid) in held]
    outcomes = []
    with index.hidden(hide):
        for item in holdout.referrals:
            rid, probability = matcher.best(item.referral)
            outcomes.append((same_child(rid) if rid else None, probability, item.truth))
    return assess(outcomes)


def fit_evidence_scale(model: Model, index: Index, labelled: Sequence[tuple[Person, str | None]],
                       scales: Sequence[float] = EVIDENCE_SCALES) -> tuple[Model, dict[float, Calibration]]:
    """The model with the evidence scale under which its probabilities best match checked
    outcomes: `labelled` pairs each referral with the id of the record it is truly about (None:
    the child is on no roll), such as the matches officers confirmed in an earlier run and the
    children since found on no roll. The scale with the lowest Brier score among those whose
    every probability band holds (none overconfident), else the model's own. Why a fit: how far the fields depend on one
    another, which the scale stands for, differs by data (DEFAULT_EVIDENCE_SCALE is right for an
    authority's referrals; a national roll's lost-pupil records, with the child's new address and
    UPN, are often all names and birthday, and 0.8 leaves them too unsure)."""
    if len(labelled) < MIN_LABELLED:
        raise ValueError(f"{len(labelled)} checked referrals: at least {MIN_LABELLED} are needed to fit the "
                         "evidence scale")
    queries = [(normalise(person), truth) for person, truth in labelled]
    candidates = [index.candidates(n) for n, _ in queries]
    reports: dict[float, Calibration] = {}
    for scale in scales:
        matcher = Matcher(replace(model, evidence_scale=scale), index)
        outcomes = []
        for (n, truth), rows in zip(queries, candidates, strict=True):
            rid, probability = matcher.best_among(n, rows)
            outcomes.append((rid, probability, truth))
        reports[scale] = assess(outcomes)
    holding = [s for s in scales if reports[s].bands_hold]
    best = min(holding, key=lambda s: reports[s].brier) if holding else model.evidence_scale
    fitted = replace(model, evidence_scale=best, trained_on={**model.trained_on, "evidence_scale_fit": {
        "labelled": len(labelled), "scale": best, "was": model.evidence_scale,
        "brier": {str(s): round(reports[s].brier, 5) for s in scales},
        "bands_hold": {str(s): reports[s].bands_hold for s in scales}}})
    return fitted, reports


@dataclass(frozen=True)
class Choice:
    """Which model to use after training, and why."""

    model: Model
    kept: str  # "trained", or the name of the model it did not beat ("previous", "default")
    calibration: dict[str, Calibration]  # each model's on the same held-out referrals


def choose_model(trained: Model, incumbent: Model | None, index: Index, people: Sequence[Person], *,
                 same_child: Callable[[str], str] = _same, size: int = 1000, seed: int = 0,
                 gate: bool = True) -> Choice:
    """The trained model, unless on the same held-out referrals it does worse than the model
    in use (or, with none, the engine's defaults): then that one stays. Training on few or
    skewed referrals (all about rolled children, say) can make a model that links siblings and
    namesakes; this is where such a model is caught. With `gate` off the trained model is kept
    whatever the check says, and the check is only reported (`cme link`, whose model is fitted to
    the very files it links)."""
    name = "previous" if incumbent is not None else "default"
    incumbent = incumbent or Model()
    mains = [p for p in people if same_child(p.id) == p.id]
    holdout = make_holdout(mains, size=size, seed=seed)
    reports = {"trained": holdout_calibration(trained, index, holdout, same_child),
               name: holdout_calibration(incumbent, index, holdout, same_child)}
    worse = reports["trained"].worse_than(reports[name])
    keep = name if worse and gate else "trained"
    chosen = trained if keep == "trained" else incumbent
    checked = {k: v.to_dict() for k, v in reports.items()}
    chosen = replace(chosen, trained_on={**chosen.trained_on, "check": {
        "kept": keep, "trained_did_worse": worse, "compared_with": name, "calibration": checked}})
    return Choice(chosen, keep, reports)
