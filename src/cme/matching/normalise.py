"""Normalising names, dates, postcodes and addresses before comparison (pure: no Django)."""

import re
import unicodedata
from functools import lru_cache

import jellyfish

# Letters NFKD does not decompose into ASCII.
_FOLD = str.maketrans({
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss", "æ": "ae", "Æ": "ae",
    "œ": "oe", "Œ": "oe", "ı": "i", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d",  # noqa: RUF001
})
# Apostrophes join (O'Brien → obrien); any other non-letter separates.
_APOSTROPHES = re.compile(r"['’‘`´]")  # noqa: RUF001
_NON_LETTER = re.compile(r"[^a-z]+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# Surname particles are never a "part" of a double-barrelled surname on their own.
PARTICLES = frozenset({
    "de", "da", "di", "du", "del", "della", "der", "den", "van", "von", "le", "la", "al", "el",
    "bin", "ibn", "bint", "mc", "mac", "st", "o", "ben", "abu", "dos", "das", "y", "e",
})

# UK postcode: outward code (area + district) then inward code (sector digit + unit).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])([A-Z]{2})$")

_ADDRESS_WORDS = {
    "road": "rd", "street": "st", "avenue": "ave", "lane": "ln", "drive": "dr", "close": "cl",
    "court": "ct", "crescent": "cres", "place": "pl", "gardens": "gdns", "terrace": "terr",
    "square": "sq", "grove": "gr", "park": "pk", "apartment": "flat", "apt": "flat",
}


def fold(text: str) -> str:
    """Lower case, accents removed, ASCII letters and digits kept as they are."""
    text = unicodedata.normalize("NFKD", (text or "").translate(_FOLD))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


@lru_cache(maxsize=200_000)
def name_tokens(text: str) -> tuple[str, ...]:
    """'Smith-Jones', "O'Brien", 'José  María' → ('smith', 'jones'), ('obrien',), ('jose', 'maria')."""
    text = _APOSTROPHES.sub("", fold(text))
    return tuple(t for t in _NON_LETTER.split(text) if t)


def surname_parts(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The parts of a double-barrelled surname that can stand alone (no particles)."""
    return tuple(t for t in tokens if len(t) > 1 and t not in PARTICLES) if len(tokens) > 1 else ()


@lru_cache(maxsize=200_000)
def phonetic(name: str) -> str:
    """Metaphone code of a normalised name ('mohammed' and 'muhammad' both give 'MHMT')."""
    return jellyfish.metaphone(name) if name else ""


_NOT_POSTCODE = re.compile(r"[^A-Z0-9]")
_SPACES = re.compile(r"\s+")


def postcode(text: str) -> str:
    """Upper case without spaces: ' nm1 2ab' → 'NM12AB'. Non-UK codes are kept in that form too."""
    return _NOT_POSTCODE.sub("", (text or "").upper())


def postcode_sector_district(code: str) -> tuple[str, str]:
    """('NM12', 'NM1') for 'NM12AB'; empty strings when the code is not a UK postcode."""
    m = _POSTCODE.match(code)
    if not m:
        return "", ""
    return m.group(1) + m.group(2), m.group(1)


def address(text: str, code: str = "") -> tuple[str, int]:
    """Address words in a standard form, without the postcode, and its first house number (-1)."""
    text = fold(text)
    words = [_ADDRESS_WORDS.get(w, w) for w in _NON_ALNUM.split(text) if w]
    if code:
        words = [w for w in words if w.upper() != code]
    number = next((int(w) for w in words if w.isdigit() and len(w) < 7), -1)
    return " ".join(words), number


def upn(text: str) -> str:
    return _SPACES.sub("", text or "").upper()


def upn_is_temporary(value: str) -> bool:
    """A temporary UPN ends in a letter (data-standards.md §2.6): not a stable key."""
    return len(value) == 13 and value[-1].isalpha()


def sex(text: str) -> int:
    """1 male, 2 female, 0 missing or not stated."""
    return {"M": 1, "F": 2}.get((text or "").strip().upper()[:1], 0)
