"""Establishment identifiers: LA code, establishment number, LAESTAB and URN (pure: no Django).

See ../shared/reference/data-standards.md §6 and, for the pseudo-codes, §1.2. Each check returns
why a value is wrong, in words an officer understands, or None when it is right.
"""

import csv
import re
from functools import cache
from pathlib import Path

# Reserved pseudo-codes of the Common Transfer File: not establishments, never looked up in GIAS.
PSEUDO_LA_CODES = frozenset({"XXX", "MMM"})
PSEUDO_ESTABS = frozenset({"XXXX", "LLLL", "MMMM"})
PSEUDO_LAESTABS = frozenset({"XXXXXXX", "MMMMMMM"})

_DATA = Path(__file__).resolve().parent / "data"


@cache
def valid_la_codes() -> frozenset[str]:
    """LA codes a UPN may carry: every English LA, current or retired, plus the pseudo-LAs.

    Retired codes stay valid because a UPN is for life (data-standards.md §2.5).
    """
    codes: set[str] = set()
    with open(_DATA / "la-codes.csv", newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        codes.update(row[1].zfill(3) for row in reader if row and row[1].isdigit())
    codes.update(f"{n:03d}" for n in range(1, 6))  # allocators outside England (UPN use)
    codes.update(str(n) for n in range(660, 682))  # Wales
    codes.update(str(n) for n in range(701, 709))  # overseas and offshore
    return frozenset(codes)


@cache
def _la_names() -> dict[str, str]:
    with open(_DATA / "la-codes.csv", newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        return {row[1].zfill(3): row[0] for row in reader if row and row[1].isdigit()}


def la_name(code: str) -> str:
    """The authority's name from the register of LA codes; empty when unknown."""
    return _la_names().get(code, "")


_THREE = re.compile(r"^[0-9]{3}$")
_FOUR = re.compile(r"^[0-9]{4}$")
_SIX = re.compile(r"^[0-9]{6}$")
_SEVEN = re.compile(r"^[0-9]{7}$")


def is_pseudo_la_code(code: str) -> bool:
    return code in PSEUDO_LA_CODES


def is_pseudo_estab(estab: str) -> bool:
    return estab in PSEUDO_ESTABS


def la_code_problem(code: str, *, allow_pseudo: bool = False) -> str | None:
    if allow_pseudo and code in PSEUDO_LA_CODES:
        return None
    if not _THREE.match(code or ""):
        return "An LA code must be 3 digits"
    if code not in valid_la_codes():
        return f"{code} is not the code of a local authority"
    return None


def estab_problem(estab: str, *, allow_pseudo: bool = False) -> str | None:
    # The first digit loosely suggests a type of school; it is a convention, not a rule (§6).
    if allow_pseudo and estab in PSEUDO_ESTABS:
        return None
    if not _FOUR.match(estab or ""):
        return "An establishment number must be 4 digits"
    return None


def laestab_problem(laestab: str) -> str | None:
    """A LAESTAB (DfE number) is the LA code and the establishment number, 7 digits."""
    if laestab in PSEUDO_LAESTABS:
        return None
    if not _SEVEN.match(laestab or ""):
        return "A LAESTAB must be 7 digits: the 3-digit LA code then the 4-digit establishment number"
    return la_code_problem(laestab[:3])


def urn_problem(urn: str) -> str | None:
    if not _SIX.match(urn or ""):
        return "A URN must be 6 digits"
    return None


def split_laestab(laestab: str) -> tuple[str, str]:
    """'9012001' -> ('901', '2001'); also accepts '901/2001' and '901-2001' as people write them."""
    value = re.sub(r"[\s/-]", "", laestab or "")
    return value[:3], value[3:]


def normalise_laestab(laestab: str) -> str:
    return "".join(split_laestab(laestab))
