"""At-risk screening of attendance registers, vectorised with numpy.

Pure module: no Django. Plain data in (`Registers`, `Rules`, an as-of date), plain data out
(`Finding`s), so the batch command, the nightly service and the benchmarks share one engine.

Definitions (issue 4), for one pupil at one provider:

- a *school day* is a day with at least one mark that is not ``-``;
- a *possible session* is one coded present, approved educational activity, authorised or
  unauthorised absence; the attendance rate is (present + approved activity) / possible;
- days whose marks are all "not possible" are skipped by runs (continuous absence, leave then
  no return, part-time timetable): they neither extend nor break a run;
- marks after the as-of date are ignored.

How it is fast: a register is one uint8 per session (see codes.py for the byte of each code).
Reading a day's two bytes as one uint16 and looking it up in a 65,536-entry table gives a byte
of day flags (possible sessions, attended sessions, school day, absent all day, leave, part-time)
in one pass. Every rule is then a handful of whole-array operations over the last few weeks;
only pupils whose answer reaches back further (a long run, a provider that stopped sending) are
looked at again over their whole history.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache, partial
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

import numpy as np

from cme.attendance import _regscan
from cme.attendance import codes as C

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.12 has it
    import tomli as tomllib

DEFAULT_RULES = Path(__file__).resolve().parent / "data" / "rules.toml"

RULE_NAMES = (
    "continuous_absence_10",
    "continuous_absence_20",
    "severe_absence",
    "persistent_absence",
    "not_returned_after_leave",
    "part_time_timetable",
    "registers_missing",
)

# Day flag bits (one byte per pupil per day).
POSSIBLE = 0b0000_0011  # number of possible sessions, 0-2
ATTENDED = 0b0000_1100  # number of attended sessions, 0-2 (shifted by 2)
SCHOOL_DAY = 0b0001_0000  # at least one mark that is not "-"
ABSENT_DAY = 0b0010_0000  # at least one possible session, and every one a continuous-absence code
LEAVE = 0b0100_0000  # a session coded as leave of absence (C)
PART_TIME = 0b1000_0000  # a session coded as part-time timetable (C2)

# First look at this many calendar days before the as-of date: nine weeks hold 30 school days
# across a half-term or a two-week holiday. Pupils who need more are looked at again in full.
WINDOW_DAYS = 63


class RulesError(ValueError):
    """A rules file that cannot be used: the message names the key."""


# -- rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """Defaults as issue 4 states them; every one can be set in the rules file. The severe-absence
    50% and the 10-day return's 2024 basis are [unverified] in shared/reference, which is why
    they are data, not constants (the shipped rules.toml says so against each rule)."""

    continuous_absence_10: int = 10
    continuous_absence_20: int = 20
    severe_window: int = 30
    severe_min_possible: int = 10
    severe_percent: Fraction = Fraction(50)
    persistent_window: int = 30
    persistent_min_possible: int = 10
    persistent_percent: Fraction = Fraction(10)
    not_returned_after_leave: int = 10
    part_time_timetable: int = 30
    registers_missing_weekdays: int = 5


# TOML key for each threshold: (rule table, key).
_THRESHOLD_KEYS = {
    "continuous_absence_10": ("continuous_absence_10", "school_days"),
    "continuous_absence_20": ("continuous_absence_20", "school_days"),
    "severe_window": ("severe_absence", "window_school_days"),
    "severe_min_possible": ("severe_absence", "min_possible_sessions"),
    "severe_percent": ("severe_absence", "missed_percent"),
    "persistent_window": ("persistent_absence", "window_school_days"),
    "persistent_min_possible": ("persistent_absence", "min_possible_sessions"),
    "persistent_percent": ("persistent_absence", "missed_percent"),
    "not_returned_after_leave": ("not_returned_after_leave", "school_days"),
    "part_time_timetable": ("part_time_timetable", "school_days"),
    "registers_missing_weekdays": ("registers_missing", "weekdays"),
}


@dataclass(frozen=True)
class Rules:
    default: Thresholds = field(default_factory=Thresholds)
    vulnerable: Thresholds = field(default_factory=lambda: Thresholds(
        continuous_absence_10=5, continuous_absence_20=10, not_returned_after_leave=5))
    continuous_absence_codes: tuple[str, ...] = ("G", "N", "O")
    leave_codes: tuple[str, ...] = ("C",)
    part_time_codes: tuple[str, ...] = ("C2",)
    category_overrides: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    # Where each rule comes from (law, guidance, local choice): for administrators, not officers.
    sources: dict[str, str] = field(default_factory=dict)
    # Rules whose findings open an at-risk referral for officer review; the others are listed
    # on the at-risk page only (persistent absence is the attendance team's, not CME's, queue).
    opens_referral: frozenset[str] = frozenset(RULE_NAMES) - {"persistent_absence", "registers_missing"}


def _threshold_value(name: str, value: object, where: str) -> int | Fraction:
    if name.endswith("_percent"):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise RulesError(f"{where}: must be a number")
        try:
            # Through str so that 12.5 is exactly 25/2, never a binary fraction.
            pct = Fraction(str(value))
        except ValueError:
            raise RulesError(f"{where}: {value!r} is not a number") from None
        if not 0 < pct <= 100:
            raise RulesError(f"{where}: must be more than 0 and at most 100")
        return pct
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RulesError(f"{where}: must be a whole number of at least 1")
    if name.endswith("_window") and value > 100:
        # Sums over the window are kept in bytes: at most 2 sessions x 100 days.
        raise RulesError(f"{where}: at most 100 school days")
    return value


def parse_rules(text: str) -> Rules:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise RulesError(f"rules file: {e}") from None
    rules = doc.get("rules", {})
    unknown = set(rules) - set(RULE_NAMES)
    if unknown:
        raise RulesError(f"rules: unknown rule(s) {', '.join(sorted(unknown))}")
    descriptions = {}
    sources = {}
    opens_referral = set()
    for name in RULE_NAMES:
        desc = rules.get(name, {}).get("description")
        if not desc:
            raise RulesError(f"rules.{name}.description: every rule needs a description of what it finds")
        descriptions[name] = desc
        sources[name] = rules.get(name, {}).get("source", "")
        if not sources[name]:
            raise RulesError(f"rules.{name}.source: every rule needs its source (law, guidance or local choice)")
        opens = rules.get(name, {}).get("opens_referral", name != "registers_missing")
        if not isinstance(opens, bool):
            raise RulesError(f"rules.{name}.opens_referral: must be true or false")
        if opens and name == "registers_missing":
            raise RulesError("rules.registers_missing.opens_referral: a provider finding opens no referral")
        if opens:
            opens_referral.add(name)
    values = {}
    for attr, (table, key) in _THRESHOLD_KEYS.items():
        if key in rules.get(table, {}):
            values[attr] = _threshold_value(attr, rules[table][key], f"rules.{table}.{key}")
    default = Thresholds(**values)
    vulnerable_values = dict(values)
    vuln = doc.get("vulnerable", {})
    for table, entries in vuln.items():
        if table == "description":
            continue
        if table not in RULE_NAMES or not isinstance(entries, dict):
            raise RulesError(f"vulnerable.{table}: not a rule")
        for key, value in entries.items():
            attr = next((a for a, tk in _THRESHOLD_KEYS.items() if tk == (table, key)), None)
            if attr is None:
                raise RulesError(f"vulnerable.{table}.{key}: not a threshold of that rule")
            vulnerable_values[attr] = _threshold_value(attr, value, f"vulnerable.{table}.{key}")
    code_table = doc.get("codes", {})

    def code_list(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = code_table.get(key, list(default))
        if not isinstance(value, list) or not value:
            raise RulesError(f"codes.{key}: must be a list of attendance codes")
        for code in value:
            if code not in C.CODES_2024:
                raise RulesError(f"codes.{key}: {code!r} is not a 2024 attendance code")
        return tuple(value)

    overrides = code_table.get("categories", {})
    try:
        C.category_table(overrides)
    except (KeyError, ValueError) as e:
        raise RulesError(f"codes.categories: {e}") from None
    return Rules(
        default=default,
        vulnerable=Thresholds(**vulnerable_values),
        continuous_absence_codes=code_list("continuous_absence", ("G", "N", "O")),
        leave_codes=code_list("leave", ("C",)),
        part_time_codes=code_list("part_time", ("C2",)),
        category_overrides=dict(overrides),
        descriptions=descriptions,
        sources=sources,
        opens_referral=frozenset(opens_referral),
    )


def load_rules(path: str | Path = DEFAULT_RULES) -> Rules:
    return parse_rules(Path(path).read_text(encoding="utf-8"))


# -- registers -------------------------------------------------------------------------------


@dataclass
class Registers:
    """Session marks of many pupils, each at one provider, on a common grid of days.

    marks[i, 2*d] and marks[i, 2*d + 1] are the AM and PM bytes of day `origin + d`
    (codes.encode), "-" where there is no session. `row` holds source line numbers for messages.
    """

    upn: np.ndarray  # str
    laestab: np.ndarray  # str
    origin: dt.date
    marks: np.ndarray  # uint8, shape (pupils, 2 * days)
    row: np.ndarray | None = None

    @property
    def days(self) -> int:
        return self.marks.shape[1] // 2

    def __len__(self) -> int:
        return self.marks.shape[0]

    @classmethod
    def from_codes(cls, pupils: list[tuple[str, str, dt.date, list[str]]]) -> Registers:
        """Build from (upn, laestab, start_date, [code per session]) tuples: for tests and services."""
        origin = min(p[2] for p in pupils)
        days = max((p[2] - origin).days + (len(p[3]) + 1) // 2 for p in pupils)
        marks = np.full((len(pupils), 2 * days), C.NO_SESSION_BYTE, np.uint8)
        for i, (_, _, start, sessions) in enumerate(pupils):
            off = 2 * (start - origin).days
            marks[i, off:off + len(sessions)] = [C.encode(s) for s in sessions]
        return cls(np.array([p[0] for p in pupils]), np.array([p[1] for p in pupils]), origin, marks)


def concat(parts: list[Registers]) -> Registers:
    """One Registers from several (chunks of one file), on the earliest origin and longest grid."""
    origin = min(p.origin for p in parts)
    end = max((p.origin - origin).days + p.days for p in parts)
    marks = np.full((sum(len(p) for p in parts), 2 * end), C.NO_SESSION_BYTE, np.uint8)
    at = 0
    for p in parts:
        off = 2 * (p.origin - origin).days
        marks[at:at + len(p), off:off + p.marks.shape[1]] = p.marks
        at += len(p)
    rows = [p.row for p in parts]
    return Registers(np.concatenate([p.upn for p in parts]), np.concatenate([p.laestab for p in parts]),
                     origin, marks, None if any(r is None for r in rows) else np.concatenate(rows))


# -- day flags -------------------------------------------------------------------------------


def day_flag_table(rules: Rules) -> np.ndarray:
    """65,536 day-flag bytes, indexed by AM byte + 256 * PM byte."""
    category = np.frombuffer(C.category_table(rules.category_overrides), np.uint8)
    possible = np.isin(category, [C.Category.PRESENT, C.Category.APPROVED_ACTIVITY,
                                  C.Category.AUTHORISED, C.Category.UNAUTHORISED])
    attended = np.isin(category, [C.Category.PRESENT, C.Category.APPROVED_ACTIVITY])
    marked = np.ones(256, bool)
    marked[C.NO_SESSION_BYTE] = False

    def member(codes: tuple[str, ...]) -> np.ndarray:
        m = np.zeros(256, bool)
        m[list(C.bytes_for_codes(list(codes)))] = True
        return m

    absent_code = member(rules.continuous_absence_codes)
    leave = member(rules.leave_codes)
    part_time = member(rules.part_time_codes)
    am = np.arange(65536) & 0xFF
    pm = np.arange(65536) >> 8
    n_possible = possible[am].astype(np.uint8) + possible[pm]
    n_attended = attended[am].astype(np.uint8) + attended[pm]
    # Every possible session is an absence code: a not-possible session does not spoil the day.
    all_absent = (n_possible > 0) & (absent_code[am] | ~possible[am]) & (absent_code[pm] | ~possible[pm])
    flags = (n_possible | (n_attended << 2)
             | ((marked[am] | marked[pm]) * SCHOOL_DAY)
             | (all_absent * ABSENT_DAY)
             | ((leave[am] | leave[pm]) * LEAVE)
             | ((part_time[am] | part_time[pm]) * PART_TIME))
    return flags.astype(np.uint8)


def day_flags(marks: np.ndarray, first_day: int, end_day: int, table: np.ndarray) -> np.ndarray:
    """Day flags for days [first_day, end_day) of every pupil: one byte per pupil per day, the
    table's byte for the day's AM and PM (one look-up per day, in C: numpy's take would widen
    every index to eight bytes first)."""
    marks = np.ascontiguousarray(marks, np.uint8)
    out = np.empty((marks.shape[0], max(0, end_day - first_day)), np.uint8)
    _regscan.day_flags(np.ascontiguousarray(table, np.uint8), marks, marks.shape[1], first_day, end_day, out)
    return out


# -- the rules over a block of days ------------------------------------------------------------


def _trailing_run(counted: np.ndarray, hit: np.ndarray):
    """Per row: the run of `hit` days at the end of the block, skipping days not `counted`.

    Returns (length, index of the breaking day or -1 when the run reaches the block start,
    index of the run's first day or -1 when the run is empty).
    """
    brk = counted & ~hit
    w = brk.shape[1]
    rev_idx = np.argmax(brk[:, ::-1], axis=1)
    has_brk = brk[np.arange(brk.shape[0]), w - 1 - rev_idx]
    last_brk = np.where(has_brk, w - 1 - rev_idx, -1)
    in_run = hit & (np.arange(w)[None, :] > last_brk[:, None])
    length = np.count_nonzero(in_run, axis=1)
    first = np.where(length > 0, np.argmax(in_run, axis=1), -1)
    return length, last_brk, first


def _last(mask: np.ndarray) -> np.ndarray:
    """Index of each row's last True, -1 for none."""
    w = mask.shape[1]
    rev_idx = np.argmax(mask[:, ::-1], axis=1)
    return np.where(mask[np.arange(mask.shape[0]), w - 1 - rev_idx], w - 1 - rev_idx, -1)


def _last_n_school_days(school: np.ndarray, n: int) -> np.ndarray:
    """Mask of each row's last `n` school days in the block."""
    rev = school[:, ::-1]
    cum = np.cumsum(rev, axis=1, dtype=np.uint8 if school.shape[1] < 256 else np.uint16)
    return (rev & (cum <= n))[:, ::-1]


def _row_sum(values: np.ndarray) -> np.ndarray:
    # Summing bytes into a byte is numpy's fast path (several times faster than widening);
    # callers guarantee the total fits (at most 2 sessions x 100 days).
    return np.add.reduce(values, axis=1, dtype=np.uint8).astype(np.int64)


# Per-pupil facts from one block of days; day indexes are relative to the block's first day.
_FIELDS = ("run_absent", "run_brk", "run_first", "last_counted", "leave_before_run",
           "run_pt", "run_pt_first", "school_days",
           "possible_s", "attended_s", "first_s", "possible_p", "attended_p", "first_p",
           "last_marked", "need_more")


def _evaluate(flags: np.ndarray, t: Thresholds, at_origin: bool, window: int) -> dict[str, np.ndarray]:
    n = flags.shape[0]
    rows = np.arange(n)
    counted = (flags & POSSIBLE) != 0
    school = (flags & SCHOOL_DAY) != 0
    out: dict[str, np.ndarray] = {}
    out["last_counted"] = last_counted = _last(counted)
    out["last_marked"] = _last(school)
    out["school_days"] = np.count_nonzero(school, axis=1)

    # Runs end at the last counted day: only pupils absent (or on C2) that day have one. Everyone
    # else has a run of 0 broken by that day (or, with no counted day, no break in this block).
    at_last = flags[rows, np.maximum(last_counted, 0)]
    cand = np.flatnonzero((last_counted >= 0) & ((at_last & (ABSENT_DAY | PART_TIME)) != 0))
    for name, brk_name, first_name, bit in (("run_absent", "run_brk", "run_first", ABSENT_DAY),
                                            ("run_pt", "run_pt_brk", "run_pt_first", PART_TIME)):
        length = np.zeros(n, np.int64)
        brk = last_counted.copy()
        first = np.full(n, -1)
        if len(cand):
            sub = flags[cand]
            length[cand], brk[cand], first[cand] = _trailing_run((sub & POSSIBLE) != 0, (sub & bit) != 0)
        out[name], out[brk_name], out[first_name] = length, brk, first
    brk = out["run_brk"]
    out["leave_before_run"] = (brk >= 0) & ((flags[rows, np.maximum(brk, 0)] & LEAVE) != 0)

    # Most pupils share their school days with many others (one calendar per provider, most
    # providers on the LA's): for the commonest pattern the last N school days are the same
    # columns, so the sums are over a few columns. The other pupils get the general mask.
    common = None
    if n >= 64:
        sample = np.packbits(school[:: max(1, n // 512)], axis=1)
        best = Counter(row.tobytes() for row in sample).most_common(1)[0][0]
        pattern = np.unpackbits(np.frombuffer(best, np.uint8))[:school.shape[1]].astype(bool)
        common = (school == pattern).all(axis=1)
        others = np.flatnonzero(~common)
    for key, size in (("s", t.severe_window), ("p", t.persistent_window)):
        if key == "p" and size == t.severe_window:
            out["possible_p"], out["attended_p"], out["first_p"] = (
                out["possible_s"], out["attended_s"], out["first_s"])
            continue
        possible, attended, first = np.zeros(n, np.int64), np.zeros(n, np.int64), np.full(n, -1)
        if common is not None:
            cols = np.flatnonzero(pattern)[-size:]
            if len(cols):
                picked = flags[:, cols]
                possible, attended = _row_sum(picked & POSSIBLE), _row_sum((picked & ATTENDED) >> 2)
                first[:] = cols[0]
            rows_general = others
        else:
            rows_general = rows
        if len(rows_general):
            sub = flags[rows_general]
            mask = _last_n_school_days((sub & SCHOOL_DAY) != 0, size)
            possible[rows_general] = _row_sum(np.where(mask, sub & POSSIBLE, 0))
            attended[rows_general] = _row_sum(np.where(mask, (sub & ATTENDED) >> 2, 0))
            first[rows_general] = np.where(mask.any(axis=1), np.argmax(mask, axis=1), -1)
        out[f"possible_{key}"], out[f"attended_{key}"], out[f"first_{key}"] = possible, attended, first
    if at_origin:
        out["need_more"] = np.zeros(n, bool)
    else:
        # Ask again over the whole history when an answer may lie before this block: a run with
        # no breaking day inside it, or fewer school days than the longest window.
        out["need_more"] = (brk < 0) | (out.pop("run_pt_brk") < 0) | (out["school_days"] < window)
    out.pop("run_pt_brk", None)
    return out


# -- findings --------------------------------------------------------------------------------


class Finding(NamedTuple):
    """One rule firing for one pupil (or, for registers_missing, one provider: upn empty).

    A named tuple: a screen makes tens of thousands, and a tuple is the cheapest to build."""

    upn: str
    laestab: str
    rule: str
    detail: str
    evidence: dict | None


_new_finding = partial(tuple.__new__, Finding)


@dataclass
class ScreenResult:
    findings: list[Finding]
    latest_marked: dict[str, dt.date | None]  # per provider, for registers_missing across chunks
    rows: list[str] = field(default_factory=list)  # with rows=True: the batch file's rows instead


def csv_field(text: str) -> str:
    """A field of the findings CSV: quoted only when it must be."""
    if "," in text or '"' in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _fmt(day: dt.date) -> str:
    return day.isoformat()


def _human(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _codes_text(codes: tuple[str, ...]) -> str:
    """Codes explained in place: "G, N, O: unauthorised absence"; "C2: leave of absence:
    part-time timetable" (one meaning when the codes share a category, else each its own)."""
    known = [C.CODES_2024[c] for c in codes if c in C.CODES_2024]
    categories = {k.category for k in known}
    if len(known) > 1 and len(categories) == 1:
        return f"{', '.join(codes)}: {known[0].category.name.lower().replace('_', ' ')}" + (
            " absence" if known[0].category in (C.Category.AUTHORISED, C.Category.UNAUTHORISED) else "")
    return "; ".join(f"{k.code}: {k.meaning.lower()}" for k in known) or ", ".join(codes)


@lru_cache(maxsize=8)
def _day_texts(day0: int, end: int) -> tuple[list[str], list[str]]:
    """ISO dates (for the evidence, for systems) and dates as people write them (for the words
    an officer reads) of days day0 .. day0 + end - 1 (ordinals): the same for every block of a
    file, so made once."""
    days = [dt.date.fromordinal(day0 + d) for d in range(end)]
    return [d.isoformat() for d in days], [_human(d) for d in days]


def _strings(values: np.ndarray) -> list[str]:
    """str for each value of an array of str or of ASCII bytes (S13): the bytes decoded at once
    and cut, which costs half numpy's conversion to str; numpy's when a value is shorter than
    its width (padded with NULs, which numpy drops)."""
    if values.dtype.kind == "S":
        size = values.dtype.itemsize
        text = values.tobytes().decode("ascii")
        if "\x00" not in text:
            return [text[i:i + size] for i in range(0, len(text), size)]
        values = values.astype(f"U{size}")
    return values.tolist()


def _provider_keys(laestab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique providers and each row's index into them. Seven-digit LAESTABs sort as integers,
    much faster than as strings."""
    if laestab.dtype == np.dtype("S7"):
        digits = laestab.view(np.uint8).reshape(-1, 7).astype(np.int64) - 48
        if len(digits) and digits.min() >= 0 and digits.max() <= 9:
            keys, inverse = np.unique(digits @ (10 ** np.arange(6, -1, -1)), return_inverse=True)
            return np.array([f"{k:07d}" for k in keys.tolist()]), inverse
    return np.unique(laestab, return_inverse=True)


def _text(value) -> str:
    """UPN and LAESTAB arrays may hold str or (from the file reader) ASCII bytes."""
    return value.decode("ascii") if isinstance(value, bytes) else str(value)


def screen_arrays(regs: Registers, as_of: dt.date, rules: Rules,
                  vulnerable: np.ndarray | None = None, table: np.ndarray | None = None,
                  ) -> tuple[dict[str, np.ndarray], np.ndarray, int]:
    """The vectorised core: per-pupil facts (see _FIELDS), the first day of each pupil's block
    (day indexes are relative to it) and the number of days up to as-of."""
    table = day_flag_table(rules) if table is None else table
    n = len(regs)
    end = min(regs.days, (as_of - regs.origin).days + 1)
    vulnerable = np.zeros(n, bool) if vulnerable is None else np.asarray(vulnerable, bool)
    window = max(rules.default.severe_window, rules.default.persistent_window)
    start = max(0, end - WINDOW_DAYS)
    block = _evaluate(day_flags(regs.marks, start, end, table), rules.default, start == 0, window)
    base = np.full(n, start)
    again = block["need_more"] if start > 0 else np.zeros(n, bool)
    for profile, rows in ((rules.default, again & ~vulnerable), (rules.vulnerable, vulnerable)):
        # Pupils whose answer reaches back beyond the window, and vulnerable pupils (whose
        # profile may use other windows): their whole history.
        sub = np.flatnonzero(rows)
        if len(sub):
            full = _evaluate(day_flags(regs.marks[sub], 0, end, table), profile, True, window)
            for name in _FIELDS:
                block[name][sub] = full[name]
            base[sub] = 0
    return block, base, end


def _distinct_texts(columns: tuple[np.ndarray, ...], make: Callable[..., str]) -> list[str]:
    """`make(*row)` for each row of the columns, each distinct row made once: most pupils share a
    window, so a few thousand texts recur among tens of thousands of findings, and formatting
    each finding's own would cost more than the rules that found them."""
    if not len(columns[0]):
        return []
    # The columns as the digits of one integer (sorting one integer is far cheaper than sorting
    # rows); when their ranges' product would not fit, rows are sorted as they are.
    key, span = np.zeros(len(columns[0]), np.int64), 1
    for column in columns:
        low, size = int(column.min()), int(column.max()) - int(column.min()) + 1
        if span * size >= 1 << 62:
            key = None
            break
        key += (column - low) * span
        span *= size
    if key is None:
        rows, inverse = np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)
    else:
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        rows = np.stack(columns, axis=1)[first]
    made = [make(*row) for row in rows.tolist()]
    return [made[i] for i in inverse.ravel().tolist()]


def screen_pupils(regs: Registers, as_of: dt.date, rules: Rules,
                  vulnerable: np.ndarray | None = None, table: np.ndarray | None = None,
                  with_evidence: bool = True, rows: bool = False) -> ScreenResult:
    """Run every pupil rule over `regs`. Providers' latest marked days come back for
    `registers_missing` (see provider_findings), so chunks of one authority can be merged.
    The batch file has no use for the evidence dicts: `with_evidence=False` skips them, and
    `rows=True` gives its rows (upn,laestab,rule,detail) in `rows` instead of Findings."""
    n = len(regs)
    end = min(regs.days, (as_of - regs.origin).days + 1)
    if n == 0 or end <= 0:
        return ScreenResult([], {_text(p): None for p in np.unique(regs.laestab)})
    vulnerable = np.zeros(n, bool) if vulnerable is None else np.asarray(vulnerable, bool)
    b, base, end = screen_arrays(regs, as_of, rules, vulnerable, table)

    def per_pupil(attr: str) -> np.ndarray:
        return np.where(vulnerable, getattr(rules.vulnerable, attr), getattr(rules.default, attr))

    day0 = regs.origin.toordinal()
    iso, day_text = _day_texts(day0, end)
    # A few hundred providers: each LAESTAB's text made once, each finding's looked up.
    providers, inverse = _provider_keys(regs.laestab)
    provider_names = [_text(p) for p in providers.tolist()]
    # Rows are built from plain lists: indexing numpy arrays one element at a time is slow.
    keys: list[np.ndarray] = []
    made: list = []  # Findings, or with rows=True the rows of the batch file

    def add(rule: str, idx: np.ndarray, texts: list[str], evidence: list[dict]) -> None:
        keys.append(idx * 8 + RULE_NAMES.index(rule))
        u, lae = _strings(regs.upn[idx]), list(map(provider_names.__getitem__, inverse[idx].tolist()))
        if rows:
            quoted = {text: csv_field(text) for text in set(texts)}  # the same few details recur
            made.extend(map(f"{{}},{{}},{rule},{{}}".format, u, lae, map(quoted.__getitem__, texts)))
            return
        if not with_evidence:
            evidence = [None] * len(texts)
        elif len(evidence) != len(texts):  # pragma: no cover - guards the loops above
            raise AssertionError("evidence and details out of step")
        # tuple.__new__ straight from the zip: Finding._make (a Python function per finding,
        # with a length check) cost more than the rules that found them.
        made.extend(map(_new_finding, zip(u, lae, repeat(rule), texts, evidence)))

    codes = _codes_text(rules.continuous_absence_codes)
    leave_codes = _codes_text(rules.leave_codes)
    run = b["run_absent"]
    thresholds = {name: per_pupil(name) for name in
                  ("continuous_absence_10", "continuous_absence_20", "not_returned_after_leave")}
    for rule in thresholds:
        fires = (run > 0) & (run >= thresholds[rule])
        if rule == "not_returned_after_leave":
            fires &= b["leave_before_run"]
        idx = np.flatnonzero(fires)
        columns = (run[idx], (base + b["run_first"])[idx], (base + b["last_counted"])[idx],
                   (base + b["run_brk"])[idx])

        def absent(d: int, f: int, la: int, lv: int, rule: str = rule) -> str:
            span = f"{d} school days absent ({codes}) from {day_text[f]} to {day_text[la]}"
            if rule == "not_returned_after_leave":
                span = f"leave of absence ({leave_codes}) on {day_text[lv]}, then {span}"
            return span

        texts, evidence = _distinct_texts(columns, absent), []
        for d, f, la, lv in zip(*(c.tolist() for c in columns), strict=True) if with_evidence else ():
            ev = {"school_days": d, "from": iso[f], "to": iso[la]}
            if rule == "not_returned_after_leave":
                ev["leave_day"] = iso[lv]
            evidence.append(ev)
        add(rule, idx, texts, evidence)

    for rule, key, prefix in (("severe_absence", "s", "severe"), ("persistent_absence", "p", "persistent")):
        possible, attended = b[f"possible_{key}"], b[f"attended_{key}"]
        missed = possible - attended
        pct = (getattr(rules.default, f"{prefix}_percent"), getattr(rules.vulnerable, f"{prefix}_percent"))
        num = np.where(vulnerable, pct[1].numerator, pct[0].numerator)
        den = np.where(vulnerable, pct[1].denominator, pct[0].denominator)
        # Whole numbers only: missed / possible >= num / (den * 100).
        fires = (possible >= per_pupil(f"{prefix}_min_possible")) & (missed * den * 100 >= possible * num)
        idx = np.flatnonzero(fires)
        school_days = np.minimum(b["school_days"], per_pupil(f"{prefix}_window"))
        columns = (missed[idx], possible[idx], school_days[idx], (base + b[f"first_{key}"])[idx],
                   (base + b["last_marked"])[idx])

        def missed_text(m: int, p: int, sd: int, f: int, la: int) -> str:
            return (f"missed {m} of {p} possible sessions ({m * 100 // p}%) in {sd} school days "
                    f"from {day_text[f]} to {day_text[la]}")

        texts, evidence = _distinct_texts(columns, missed_text), []
        for m, p, sd, f, la in zip(*(c.tolist() for c in columns), strict=True) if with_evidence else ():
            evidence.append({"missed": m, "possible": p, "attended": p - m, "school_days": sd,
                             "from": iso[f], "to": iso[la]})
        add(rule, idx, texts, evidence)

    pt_codes = _codes_text(rules.part_time_codes)
    idx = np.flatnonzero(b["run_pt"] >= per_pupil("part_time_timetable"))
    columns = (b["run_pt"][idx], (base + b["run_pt_first"])[idx], (base + b["last_counted"])[idx])
    texts = _distinct_texts(columns, lambda d, f, la: (
        f"{pt_codes} on each of the last {d} school days, from {day_text[f]} to {day_text[la]}"))
    evidence = [{"school_days": d, "from": iso[f], "to": iso[la]}
                for d, f, la in zip(*(c.tolist() for c in columns), strict=True)] if with_evidence else []
    add("part_time_timetable", idx, texts, evidence)

    order = np.argsort(np.concatenate(keys), kind="stable") if keys else []
    findings = [made[k] for k in order.tolist()] if len(made) else []
    findings, batch_rows = ([], findings) if rows else (findings, [])

    last_abs = np.where(b["last_marked"] >= 0, base + b["last_marked"], -1)
    latest = np.full(len(providers), -1)
    np.maximum.at(latest, inverse, last_abs)
    latest_marked = {p: (dt.date.fromordinal(day0 + int(d)) if d >= 0 else None)
                     for p, d in zip(provider_names, latest.tolist(), strict=True)}
    return ScreenResult(findings, latest_marked, batch_rows)


def merge_latest(into: dict[str, dt.date | None], more: dict[str, dt.date | None]) -> None:
    for provider, day in more.items():
        old = into.get(provider)
        into[provider] = day if old is None else (old if day is None else max(old, day))


def weekdays_after(day: dt.date, as_of: dt.date) -> int:
    """Weekdays after `day` up to and including `as_of`; 0 when `day` is not before `as_of` (a
    register marked ahead, even on 9999-12-31, must not stop the run for everyone)."""
    if day >= as_of:
        return 0
    return int(np.busday_count(day + dt.timedelta(days=1), as_of + dt.timedelta(days=1)))


def provider_findings(latest_marked: dict[str, dt.date | None], as_of: dt.date, rules: Rules,
                      ) -> list[Finding]:
    """registers_missing: a provider whose latest marked day is more than N weekdays before as-of."""
    limit = rules.default.registers_missing_weekdays
    out = []
    for provider in sorted(latest_marked):
        day = latest_marked[provider]
        if day is None:
            out.append(Finding("", provider, "registers_missing",
                               f"no marks on or before {_fmt(as_of)}", {"latest_marked_day": None}))
            continue
        gap = weekdays_after(day, as_of)
        if gap > limit:
            out.append(Finding("", provider, "registers_missing",
                               f"latest marked day {_fmt(day)}, {gap} weekdays before {_fmt(as_of)}",
                               {"latest_marked_day": _fmt(day), "weekdays": gap}))
    return out


def screen(regs: Registers, as_of: dt.date, rules: Rules | None = None,
           vulnerable: np.ndarray | None = None) -> list[Finding]:
    """All findings for one set of registers: pupils' rules, then providers with missing registers."""
    rules = rules or load_rules()
    result = screen_pupils(regs, as_of, rules, vulnerable)
    return result.findings + provider_findings(result.latest_marked, as_of, rules)
