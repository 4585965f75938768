"""DfE attendance register codes, both regimes, and their one-byte encoding in memory.

Pure module: no Django, no numpy. Source: shared/reference/data-standards.md §4.

Regimes are chosen by the *session date* (§4.1): sessions before 19 August 2024 use the codes of
the 2006 regulations (SI 2006/1751); sessions on or after it use SI 2024/208 reg 10.

Statistical categories follow the DfE absence methodology: present and approved educational
activity count as attendance; authorised and unauthorised absence are possible sessions missed;
"not possible" sessions are left out of possible sessions. Which codes are not possible (Q, X,
Y1-Y7, Z, #, D) is [unverified] in the reference, so `category_table()` takes overrides, which a
rules file supplies (`[codes.categories]`).

In-memory encoding, one byte per session
----------------------------------------
A register is held as one uint8 per session. Every one-character code is stored as its own ASCII
byte (`/` is 0x2F, `N` is 0x4E, `-` is 0x2D ...), so a register whose marks are all one character
needs no translation at all. The 2024 two-character codes, which do not fit, take bytes above
0x7F, which can never be a one-character code in an ASCII file:

    C1 0x81   C2 0x82   J1 0x83
    Y1 0x91   Y2 0x92   Y3 0x93   Y4 0x94   Y5 0x95   Y6 0x96   Y7 0x97

The pre-2024 codes H, F, J and Y keep their ASCII bytes; they are valid only before the switch,
and K, Q and the two-character codes only after it. No byte means one thing in one regime and
another in the other, so one category table serves both.

The bytes are internal. They are not Capita One's private single-character codes (`<`, `>` ...),
which the reference notes are vendor-specific; a CTF decoder maps those at its own boundary.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from enum import IntEnum

REGIME_SWITCH = dt.date(2024, 8, 19)
NO_SESSION = "-"


class Category(IntEnum):
    """Statistical treatment of a session. Values are stable: screening tables index on them."""

    NO_SESSION = 0
    PRESENT = 1
    APPROVED_ACTIVITY = 2
    AUTHORISED = 3
    UNAUTHORISED = 4
    NOT_POSSIBLE = 5

    @property
    def possible(self) -> bool:
        return self in (Category.PRESENT, Category.APPROVED_ACTIVITY, Category.AUTHORISED,
                        Category.UNAUTHORISED)

    @property
    def attended(self) -> bool:
        return self in (Category.PRESENT, Category.APPROVED_ACTIVITY)


CATEGORY_NAMES = {
    "present": Category.PRESENT,
    "approved_activity": Category.APPROVED_ACTIVITY,
    "authorised": Category.AUTHORISED,
    "unauthorised": Category.UNAUTHORISED,
    "not_possible": Category.NOT_POSSIBLE,
}


@dataclass(frozen=True)
class Code:
    code: str
    meaning: str
    category: Category


P, AEA, A, U, NP = (Category.PRESENT, Category.APPROVED_ACTIVITY, Category.AUTHORISED,
                    Category.UNAUTHORISED, Category.NOT_POSSIBLE)

# SI 2024/208 reg 10, data-standards.md §4.2.
CODES_2024: dict[str, Code] = {c.code: c for c in [
    Code("/", "Present (morning)", P),
    Code("\\", "Present (afternoon)", P),
    Code("L", "Late, arrived before the register closed", P),
    Code("K", "Attending education provision arranged by the local authority", AEA),
    Code("V", "Educational visit or trip", AEA),
    Code("P", "Approved sporting activity", AEA),
    Code("W", "Work experience", AEA),
    Code("B", "Other approved educational activity", AEA),
    Code("C1", "Leave of absence: regulated performance or employment abroad", A),
    Code("M", "Leave of absence: medical or dental appointment", A),
    Code("J1", "Leave of absence: interview for employment or another institution", A),
    Code("S", "Leave of absence: study for a public examination", A),
    Code("C2", "Leave of absence: part-time timetable", A),
    Code("C", "Leave of absence: exceptional circumstances", A),
    Code("T", "Parent travelling for occupational purposes", A),
    Code("R", "Religious observance", A),
    Code("I", "Illness (not medical or dental appointment)", A),
    Code("E", "Suspended or permanently excluded, no alternative provision", A),
    Code("G", "Holiday not granted by the school", U),
    Code("N", "Reason not yet established", U),
    Code("O", "Absent in other or unknown circumstances", U),
    Code("U", "Arrived after the register closed", U),
    Code("D", "Dual registered: attending the other school", NP),
    Code("X", "Not of compulsory school age, not required to attend", NP),
    Code("Q", "Unable to attend: local authority access arrangements not made", NP),
    Code("Y1", "Unable to attend: transport not available", NP),
    Code("Y2", "Unable to attend: widespread travel disruption", NP),
    Code("Y3", "Unable to attend: part of the school premises closed", NP),
    Code("Y4", "Unable to attend: whole school site unexpectedly closed", NP),
    Code("Y5", "Unable to attend: in criminal justice detention", NP),
    Code("Y6", "Unable to attend: public health guidance or law", NP),
    Code("Y7", "Unable to attend: any other unavoidable cause", NP),
    Code("Z", "Prospective pupil not yet on the admission register", NP),
    Code("#", "Planned whole-school closure", NP),
]}

# SI 2006/1751 as amended, data-standards.md §4.3.
CODES_PRE_2024: dict[str, Code] = {c.code: c for c in [
    Code("/", "Present (morning)", P),
    Code("\\", "Present (afternoon)", P),
    Code("L", "Late, before the register closed", P),
    Code("B", "Educated off site (not dual registration)", AEA),
    Code("J", "Interview", AEA),
    Code("P", "Approved sporting activity", AEA),
    Code("V", "Educational visit or trip", AEA),
    Code("W", "Work experience", AEA),
    Code("C", "Other authorised circumstances", A),
    Code("E", "Excluded, no alternative provision", A),
    Code("F", "Agreed extended family holiday", A),
    Code("H", "Agreed family holiday", A),
    Code("I", "Illness (not medical or dental appointment)", A),
    Code("M", "Medical or dental appointment", A),
    Code("R", "Religious observance", A),
    Code("S", "Study leave", A),
    Code("T", "Traveller absence", A),
    Code("G", "Family holiday not agreed", U),
    Code("N", "No reason yet provided", U),
    Code("O", "Unauthorised absence not covered by another code", U),
    Code("U", "Arrived after the register closed", U),
    Code("D", "Dual registered, at another school or PRU", NP),
    Code("X", "Non-compulsory school age, not required to attend", NP),
    Code("Y", "Unable to attend due to exceptional circumstances", NP),
    Code("Z", "Pupil not yet on roll", NP),
    Code("#", "Planned whole or partial school closure", NP),
]}

# The nearest 2024 code for each pre-2024 code, so that rules written in 2024 codes (leave of
# absence C, part-time C2 ...) read historic registers too. Statistics keep the old category
# (an old J counts as attended, as it did then).
PRE_2024_EQUIVALENT: dict[str, str] = {
    **{c: c for c in CODES_PRE_2024 if c in CODES_2024},
    "F": "C",  # extended holiday agreed: leave of absence
    "H": "C",  # holiday agreed: leave of absence (H withdrawn 2024, use C)
    "J": "J1",  # interview: now J1
    "Y": "Y7",  # unable to attend: any other unavoidable cause
}

TWO_CHARACTER_BYTES: dict[str, int] = {
    "C1": 0x81, "C2": 0x82, "J1": 0x83,
    **{f"Y{i}": 0x90 + i for i in range(1, 8)},
}

NO_SESSION_BYTE = ord(NO_SESSION)


def encode(code: str) -> int:
    """The in-memory byte of a code (either regime). KeyError if it is not a code."""
    if code == NO_SESSION:
        return NO_SESSION_BYTE
    if code in TWO_CHARACTER_BYTES:
        return TWO_CHARACTER_BYTES[code]
    if len(code) == 1 and (code in CODES_2024 or code in CODES_PRE_2024):
        return ord(code)
    raise KeyError(code)


_DECODE = {v: k for k, v in TWO_CHARACTER_BYTES.items()}


def decode(byte: int) -> str:
    """The code written for an in-memory byte."""
    return _DECODE.get(byte) or chr(byte)


def regime_codes(session_date: dt.date) -> dict[str, Code]:
    return CODES_PRE_2024 if session_date < REGIME_SWITCH else CODES_2024


def _table(values: dict[int, int], default: int) -> bytes:
    table = bytearray([default]) * 256
    for byte, value in values.items():
        table[byte] = value
    return bytes(table)


@functools.cache  # bytes, immutable: the reader's tables ask for it hundreds of times at start-up
def valid_table(*, pre_2024: bool) -> bytes:
    """256 bytes: 1 where the byte is a valid mark (or `-`) in that regime, else 0."""
    codes = CODES_PRE_2024 if pre_2024 else CODES_2024
    return _table({encode(c): 1 for c in [*codes, NO_SESSION]}, 0)


def category_table(overrides: dict[str, str] | None = None) -> bytes:
    """256 bytes: the Category of each in-memory byte; unknown bytes read as NO_SESSION.

    `overrides` maps a code (either regime) to a category name ("not_possible", "authorised" ...):
    the reference leaves the treatment of Q, X, Y1-Y7, Z, # and D unconfirmed.
    """
    values = {encode(c.code): int(c.category) for c in CODES_PRE_2024.values()}
    values |= {encode(c.code): int(c.category) for c in CODES_2024.values()}
    for code, name in (overrides or {}).items():
        if name not in CATEGORY_NAMES:
            raise ValueError(f"Unknown category {name!r} for code {code!r}: use one of "
                             f"{', '.join(CATEGORY_NAMES)}")
        values[encode(code)] = int(CATEGORY_NAMES[name])
    return _table(values, int(Category.NO_SESSION))


def bytes_for_codes(codes: list[str] | tuple[str, ...]) -> set[int]:
    """In-memory bytes that match a list of 2024 codes, historic equivalents included (H reads as C)."""
    wanted = set(codes)
    found = {encode(c) for c in wanted}
    found |= {encode(old) for old, new in PRE_2024_EQUIVALENT.items() if new in wanted}
    return found


class UnknownCodeError(ValueError):
    """A mark that is not an attendance code of its session's regime."""

    def __init__(self, *, code: str, upn: str, session_date: dt.date, session: str,
                 row: int | None = None):
        self.code, self.upn, self.session_date, self.session, self.row = (
            code, upn, session_date, session, row)
        regime = "before" if session_date < REGIME_SWITCH else "from"
        where = f"row {row}, " if row is not None else ""
        super().__init__(
            f"{where}field marks: unknown attendance code {code!r} for pupil {upn or '(no UPN)'} "
            f"on {session_date.isoformat()} {session} (codes {regime} 19 August 2024)")


CONTINUOUS_ABSENCE_CODES = frozenset({"G", "N", "O"})


def trailing_run(days, *, until: dt.date, codes: frozenset[str] = CONTINUOUS_ABSENCE_CODES) -> int:
    """School days in the unbroken run, ending on the last school day on or before `until`, in
    which every session is coded in `codes` (SI 2024/208 reg 9(1)(i): G, N or O; any other code
    breaks the run). `days` are (date, AM code, PM code); a day with no session either half (a
    weekend, a holiday, not yet marked) is not a school day and neither counts nor breaks."""
    count = 0
    for day, am, pm in sorted(days, key=lambda d: d[0], reverse=True):
        if day > until:
            continue
        held = [code for code in (am, pm) if code != NO_SESSION]
        if not held:
            continue
        if all(code in codes for code in held):
            count += 1
        else:
            break
    return count
