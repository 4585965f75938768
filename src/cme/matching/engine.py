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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler

from cme.matching import normalise as nm
from cme.matching.names import groups_of

ENGINE_VERSION = "1.0"
MODEL_FORMAT = 1
# A temporary UPN is issued locally while the permanent one is awaited and may be reissued
# (data-standards.md §2.6): agreement on one is a hint, never the strong evidence of a real UPN.
TEMPORARY_UPN_MAX_WEIGHT = 4.0
# Blocks bigger than this (a very common name with no year) are skipped to keep lookups fast.
MAX_BLOCK = 5000
# Some referrals are always about children on no roll: never assume every one is on a roll.
MAX_MATCH_RATE = 0.95


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
}
NAMES = tuple(COMPARISONS)
FN, SN, DOB, SEX, ADDR, UPN, ORDER = range(7)

# Starting values (and the pull of the prior when data are scarce) for m and u.
DEFAULT_M = {
    "forename": [0.84, 0.04, 0.01, 0.03, 0.02, 0.02, 0.005, 0.035],
    "surname": [0.87, 0.03, 0.03, 0.02, 0.015, 0.035],
    "dob": [0.92, 0.015, 0.01, 0.025, 0.01, 0.02],
    "sex": [0.98, 0.02],
    "address": [0.6, 0.1, 0.05, 0.03, 0.03, 0.05, 0.05, 0.09],
    "upn": [0.95, 0.02, 0.03],
    "name_order": [0.98, 0.02],
}
DEFAULT_U = {
    "forename": [0.01, 0.005, 0.002, 0.005, 0.01, 0.05, 0.01, 0.908],
    "surname": [0.003, 0.001, 0.003, 0.005, 0.03, 0.958],
    "dob": [0.0003, 0.0003, 0.0006, 0.006, 0.02, 0.9728],
    "sex": [0.5, 0.5],
    "address": [1e-5, 1e-4, 1e-4, 1e-4, 5e-4, 0.002, 0.02, 0.97729],
    "upn": [1e-6, 1e-4, 0.999899],
    # Not a probability: a swap is judged on the name comparisons themselves, so the order
    # comparison only carries the (m) cost of a swap among true matches.
    "name_order": [1.0, 1.0],
}


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
    )


def _swapped(n: _Norm) -> _Norm:
    """The referral read with forename and surname the other way round."""
    return replace(n, forenames=n.surnames[:1], surnames=n.forenames[:1], parts=(), middles=())


def _digits(ymd: int) -> list[int]:
    return [int(c) for c in f"{ymd:08d}"]


def _blocking_keys(n: _Norm, query: bool) -> set[int]:
    """Hashes of the blocking keys of a record; a query also looks for common errors."""
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
    if query and n.forenames and n.surnames:
        keys.extend(_blocking_keys(_swapped(n), query=False) - {hash(k) for k in keys})
    return {hash(k) for k in keys}


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
                self._arrays = None
        return i

    def get(self, s: str) -> int:
        return self.ids.get(s, -1) if s else -1

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
    "upn": (np.int32, 0), "upn_temp": (np.bool_, 0), "alive": (np.bool_, 0),
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

    def __init__(self, people: Iterable[Person] = ()):
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
        self._keys = np.zeros(0, dtype=np.int64)
        self._rows = np.zeros(0, dtype=np.int32)
        self._delta_keys: list[int] = []
        self._delta_rows: list[int] = []
        self.add(people)
        self.compact()

    def __len__(self) -> int:
        return int(self.cols["alive"].sum())

    # -- building -------------------------------------------------------------------------

    def add(self, people: Iterable[Person]) -> None:
        """Add (or replace, by id) people."""
        people = list(people)
        self.remove([p.id for p in people if p.id in self.row_of])
        rows: dict[str, list] = {k: [] for k in _COLUMNS}
        addr: list[str] = []
        fn_seen: list[int] = []
        sn_seen: list[int] = []
        start = len(self.ids)
        for offset, p in enumerate(people):
            n = normalise(p)
            row = start + offset
            self.row_of[p.id] = row
            self.ids.append(p.id)
            fn = [self.names.add(s) for s in n.forenames]
            sn = [self.names.add(s) for s in n.surnames]
            fn_seen.extend(fn)
            sn_seen.extend(sn)
            rows["fn"].append(_pad(fn, 2))
            rows["mid"].append(_pad([self.names.add(s) for s in n.middles], 2))
            rows["sn"].append(_pad(sn, 3))
            rows["parts"].append(_pad([self.names.add(s) for s in n.parts], 4))
            rows["ymd"].append(n.ymd)
            rows["dig"].append(_digits(n.ymd))
            rows["sex"].append(n.sex)
            rows["pc"].append(self.codes.add(n.pc))
            rows["sector"].append(self.codes.add(n.sector))
            rows["district"].append(self.codes.add(n.district))
            rows["num"].append(n.num)
            rows["upn"].append(self.codes.add(n.upn))
            rows["upn_temp"].append(n.upn_temp)
            rows["alive"].append(True)
            addr.append(n.addr)
            for k in _blocking_keys(n, query=False):
                self._delta_keys.append(k)
                self._delta_rows.append(row)
        if not people:
            return
        for k, (t, w) in _COLUMNS.items():
            new = np.array(rows[k], dtype=t).reshape((-1, w) if w else -1)
            self.cols[k] = np.concatenate([self.cols[k], new])
        self.addr = np.concatenate([self.addr, np.array(addr, dtype=object)])
        size = len(self.names.strings) + 1  # last slot counts "no name" (-1)
        self.fn_count = np.pad(self.fn_count, (0, size - len(self.fn_count)))
        self.sn_count = np.pad(self.sn_count, (0, size - len(self.sn_count)))
        np.add.at(self.fn_count, np.array(fn_seen, dtype=np.int64), 1)
        np.add.at(self.sn_count, np.array(sn_seen, dtype=np.int64), 1)
        self.fn_count[-1] = self.sn_count[-1] = 0
        if len(self._delta_keys) > 50_000:
            self.compact()

    def remove(self, ids: Iterable[str]) -> None:
        """Withdraw people (left the roll); their rows stay as tombstones until a rebuild."""
        rows = [self.row_of.pop(i) for i in ids if i in self.row_of]
        if rows:
            self.cols["alive"][np.array(rows)] = False

    def compact(self) -> None:
        """Merge waiting blocking keys into the sorted key array."""
        if not self._delta_keys:
            return
        keys = np.concatenate([self._keys, np.array(self._delta_keys, dtype=np.int64)])
        rows = np.concatenate([self._rows, np.array(self._delta_rows, dtype=np.int32)])
        order = np.argsort(keys, kind="stable")
        self._keys, self._rows = keys[order], rows[order]
        self._delta_keys, self._delta_rows = [], []

    def nbytes(self) -> int:
        """Memory held by the arrays (strings and dictionaries not included)."""
        return sum(a.nbytes for a in self.cols.values()) + self._keys.nbytes + self._rows.nbytes

    # -- lookup ----------------------------------------------------------------------------

    def candidates(self, n: _Norm) -> np.ndarray:
        keys = np.fromiter(_blocking_keys(n, query=True), dtype=np.int64)
        lo = np.searchsorted(self._keys, keys, side="left")
        hi = np.searchsorted(self._keys, keys, side="right")
        chunks = [self._rows[a:b] for a, b in zip(lo, hi, strict=True) if 0 < b - a <= MAX_BLOCK]
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
        uniq, inv = np.unique(cand.ravel(), return_inverse=True)
        sims = np.zeros(len(uniq))
        valid = uniq >= 0
        if valid.any():
            strs = [self.names.strings[i] for i in uniq[valid]]
            matrix = process.cdist(list(q_strs), strs, scorer=JaroWinkler.normalized_similarity)
            sims[valid] = matrix.max(axis=0)
        return _rows_max(sims[inv].reshape(cand.shape))

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
        lev = np.full(k, 5, dtype=np.int8)
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
            lev[count == 2] = 4
            lev[(count == 1) | ((count == 2) & transposed)] = 3
            cy, cmd = ymd // 10000, ymd % 10000
            lev[(cmd == m * 100 + d) & (np.abs(cy - y) == 1)] = 2
            if d != m and d <= 12:
                lev[ymd == y * 10000 + d * 100 + m] = 1
            lev[ymd == n.ymd] = 0
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


# ---------------------------------------------------------------------------------------------
# Model


@dataclass
class Model:
    """m and u of every comparison level, and how often a referral is on some roll."""

    m: dict[str, list[float]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_M.items()})
    u: dict[str, list[float]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_U.items()})
    prior_match_rate: float = 0.5
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
                w[1] = min(w[1], TEMPORARY_UPN_MAX_WEIGHT)
            tables.append(np.append(w, 0.0))
        return tables

    def to_dict(self) -> dict:
        return {
            "format": "cme-matching-model",
            "version": MODEL_FORMAT,
            "engine_version": ENGINE_VERSION,
            "created": self.created,
            "trained_on": self.trained_on,
            "parameters": {
                "prior_match_rate": self.prior_match_rate,
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
        if data.get("format") != "cme-matching-model" or data.get("version") != MODEL_FORMAT:
            raise ValueError(
                f"Not a matching model this engine can read (format {data.get('format')!r}, "
                f"version {data.get('version')!r}; expected version {MODEL_FORMAT})"
            )
        params = data["parameters"]
        m, u = {}, {}
        for name, levels in COMPARISONS.items():
            given = params["comparisons"].get(name)
            if [g["level"] for g in given or []] != [lv.name for lv in levels]:
                raise ValueError(f"The model's levels for {name} do not match this engine's")
            m[name] = [float(g["m"]) for g in given]
            u[name] = [float(g["u"]) for g in given]
        return cls(
            m=m, u=u, prior_match_rate=float(params["prior_match_rate"]),
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


class Matcher:
    """Scores a referral against an index with a model: the officer's "is this child on a roll?"."""

    def __init__(self, model: Model, index: Index):
        self.model = model
        self.index = index
        self.refresh_model()

    def refresh_model(self) -> None:
        self._w = self.model.weights()
        self._u_exact = (self.model.u["forename"][0], self.model.u["surname"][0])

    def _prior(self) -> float:
        """log2 of the prior odds that one given record is the referred child: a referral is on
        some roll with probability `prior_match_rate`, and then equally likely any record."""
        rate = min(max(self.model.prior_match_rate, 1e-6), MAX_MATCH_RATE)
        return math.log2(rate / max(len(self.index), 1) / (1 - rate))

    @staticmethod
    def _posterior(odds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Probability that each candidate is the child, given that a referral is about one child
        at most, and the bits each loses to the others that fit too (a sibling, a twin).

        With o_j the log2 odds of candidate j alone: P(j) = 2^o_j / (1 + sum over all k of 2^o_k),
        i.e. log2 odds o_j - r_j where r_j = log2(1 + sum over k != j of 2^o_k).
        """
        top = max(0.0, float(odds.max()))
        scaled = np.exp2(odds - top)
        others = np.maximum(scaled.sum() - scaled, 0.0) + 2.0 ** -min(top, 1000.0)
        rivals = np.maximum(top + np.log2(np.maximum(others, 1e-300)), 0.0)
        return 1.0 / (1.0 + np.exp2(np.clip(rivals - odds, -1000, 1000))), rivals

    def _tf(self, freq: np.ndarray, u_exact: float) -> np.ndarray:
        """Splink's term frequency adjustment: log2(u / frequency of the agreeing value)."""
        if not self.model.term_frequency:
            return np.zeros(len(freq))
        floor = 1 / max(len(self.index), 1)
        return np.where(freq > 0, np.log2(u_exact / np.maximum(freq, floor)), 0.0)

    def score_rows(self, n: _Norm, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Total weight, levels (with name order) and the forename and surname adjustments for
        how common the agreeing name is (rows x 2), for candidate rows."""
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
                names = np.where(better, s_names - w[ORDER][1], names)
                adj[better] = s_adj[better]
                order[better] = 1
        lev = np.concatenate([lev, order[:, None]], axis=1)
        total = names + w[ORDER][order] + adj[:, 0] + adj[:, 1]
        for col in (DOB, SEX, ADDR, UPN):
            total = total + w[col][lev[:, col]]
        return total, lev, adj

    def match(self, person: Person, limit: int = 10, min_probability: float = 0.0) -> list[Candidate]:
        """Candidates for one referral, best first, each with its evidence field by field."""
        n = normalise(person)
        rows = self.index.candidates(n)
        if not len(rows):
            return []
        total, lev, adj = self.score_rows(n, rows)
        prior = self._prior()
        total = total + prior
        probability, rivals = self._posterior(total)
        top = np.argsort(-total, kind="stable")[:limit]
        out = []
        for t in top:
            if probability[t] < min_probability:
                break
            out.append(self._explain(int(rows[t]), lev[t], adj[t], float(total[t]), float(probability[t]), prior, float(rivals[t])))
        return out

    def best(self, person: Person) -> tuple[str | None, float]:
        """The single best candidate's id and probability, without explanations (batch use)."""
        n = normalise(person)
        rows = self.index.candidates(n)
        if not len(rows):
            return None, 0.0
        total, _, _ = self.score_rows(n, rows)
        probability, _ = self._posterior(total + self._prior())
        t = int(np.argmax(probability))
        return self.index.ids[rows[t]], float(probability[t])

    def _explain(self, row: int, lev: np.ndarray, adj: np.ndarray, total: float, prob: float,
                 prior: float, rivals: float) -> Candidate:
        evidence = [Evidence("prior", "prior", "starting point", round(prior, 2),
                             "how likely any one record is to be the child before comparing")]
        tf = {FN: float(adj[0]), SN: float(adj[1])}
        for col, name in enumerate(NAMES):
            level = int(lev[col])
            if level < 0:
                evidence.append(Evidence(name, "missing", "missing", 0.0, "not given on one side"))
                continue
            if name == "name_order" and level == 0:
                continue  # nothing to say when the names are in the usual order
            lv = COMPARISONS[name][level]
            weight = float(self._w[col][level]) + float(tf.get(col, 0.0))
            label = lv.label + (" (weighed by how common the name is)" if tf.get(col) else "")
            evidence.append(Evidence(name, lv.outcome, lv.name, round(weight, 2), label))
        if rivals > 0.01:
            evidence.append(Evidence("other_candidates", "disagrees", "others fit too", round(-rivals, 2),
                                     "other records fit the referral too (a sibling or twin?)"))
        return Candidate(self.index.ids[row], prob, round(total - rivals, 2), tuple(evidence))


# ---------------------------------------------------------------------------------------------
# Training


def _sample_u(index: Index, roll: Sequence[Person], rng: np.random.Generator, pairs: int) -> tuple[dict, int]:
    """Level counts over random pairs of the roll: nearly all are different children."""
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
        lev, _, _ = index.compare(normalise(roll[i]), rows)
        for col, name in enumerate(NAMES[:6]):
            counts[name] += np.bincount(lev[:, col][lev[:, col] >= 0], minlength=len(COMPARISONS[name]))
        seen += len(rows)
    return counts, seen


def _em(levels: np.ndarray, cols: list[int], m0: list[np.ndarray], u: list[np.ndarray],
        alpha: float = 20.0, iterations: int = 40) -> tuple[dict[int, np.ndarray], float]:
    """Expectation maximisation of m (u fixed) on blocked pairs; a Dirichlet prior keeps m near
    its starting value where the data say little. Returns m per column and expected matches."""
    if not len(levels):
        return {}, 0.0
    patterns, counts = np.unique(levels[:, cols], axis=0, return_counts=True)
    m = {c: np.array(m0[c], dtype=float) for c in cols}
    lam = 0.5
    expected = 0.0
    for _ in range(iterations):
        log_m = np.zeros(len(patterns))
        log_u = np.zeros(len(patterns))
        for j, c in enumerate(cols):
            lv = patterns[:, j]
            ok = lv >= 0
            log_m[ok] += np.log(m[c][lv[ok]])
            log_u[ok] += np.log(u[c][lv[ok]])
        a = math.log(lam) + log_m
        b = math.log(1 - lam) + log_u
        p = 1.0 / (1.0 + np.exp(np.clip(b - a, -700, 700)))
        weight = p * counts
        expected = float(weight.sum())
        lam = min(max(expected / counts.sum(), 1e-9), 1 - 1e-9)
        for j, c in enumerate(cols):
            lv = patterns[:, j]
            ok = lv >= 0
            num = np.bincount(lv[ok], weights=weight[ok], minlength=len(m[c]))
            m[c] = (num + alpha * np.array(m0[c])) / (num.sum() + alpha)
    return m, expected


def _estimate_match_rate(blocks: list[np.ndarray], n_queries: int, n_roll: int,
                         m: dict, u: dict, iterations: int = 50) -> float:
    """How often a referral is on the roll: EM on that one proportion, each referral's
    candidates scored with the trained weights (a referral matches one record at most)."""
    model = Model(m={k: list(v) for k, v in m.items()}, u={k: list(v) for k, v in u.items()})
    w = model.weights()
    evidence = [sum(w[col][lev[:, col]] for col in range(6)) for lev in blocks]
    rate = 0.5
    for _ in range(iterations):
        prior = math.log2(rate / max(n_roll, 1) / (1 - rate))
        has_match = 0.0
        for e in evidence:
            odds = prior + e
            top = max(0.0, float(odds.max()))
            total = float(np.exp2(odds - top).sum())  # sum of 2^odds, scaled by 2^-top
            has_match += total / (total + 2.0 ** -min(top, 1000.0))
        rate = min(max(has_match / n_queries, 0.01), MAX_MATCH_RATE)
    return rate


def train(roll: Sequence[Person], referrals: Sequence[Person] = (), *, seed: int = 0,
          u_pairs: int = 400_000, max_queries: int = 20_000, index: Index | None = None) -> Model:
    """Estimate a model from the LA's own data.

    u comes from random pairs of `roll`. m comes from EM on candidate pairs between `referrals`
    and the roll (or, with no referrals, within the roll: the same child on two rolls). `index`
    may be passed when it was built from exactly `roll`, to save building it twice.
    """
    rng = np.random.default_rng(seed)
    index = index or Index(roll)
    counts, seen = _sample_u(index, roll, rng, u_pairs)
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
    for q, self_row in zip(queries, own, strict=True):
        rows = index.candidates(q)
        rows = rows[rows != self_row]
        if len(rows):
            blocks.append(index.compare(q, rows)[0])
    levels = np.concatenate(blocks) if blocks else np.zeros((0, 6), dtype=np.int8)

    m0 = [np.array(DEFAULT_M[name]) for name in NAMES]
    uu = [u[name] for name in NAMES]
    # Round 1, pairs that share a date of birth: learns everything but the date of birth.
    by_dob = levels[levels[:, DOB] == 0]
    m_dob, _ = _em(by_dob, [FN, SN, SEX, ADDR, UPN], m0, uu)
    # Round 2, pairs that share forename and surname: learns the date of birth and the rest.
    by_name = levels[(levels[:, FN] == 0) & (levels[:, SN] == 0)]
    m_name, _ = _em(by_name, [DOB, SEX, ADDR, UPN], m0, uu)
    m = {}
    for col, name in enumerate(NAMES):
        estimates = [r[col] for r in (m_dob, m_name) if col in r]
        m[name] = np.mean(estimates, axis=0) if estimates else m0[col]

    rate = 0.5
    if link and queries:
        rate = _estimate_match_rate(blocks, len(queries), len(index), m, u)
    return Model(
        m={k: [float(x) for x in v] for k, v in m.items()},
        u={k: [float(x) for x in v] for k, v in u.items()},
        prior_match_rate=rate,
        trained_on={
            "roll_records": len(roll), "referrals": len(referrals), "mode": "link" if link else "dedupe",
            "random_pairs": seen, "blocked_pairs": len(levels),
            "pairs_sharing_dob": len(by_dob), "pairs_sharing_name": len(by_name), "seed": seed,
        },
    )
