"""The rules every way in applies to a value: the forms, the API, roll, register, term-date and
GIAS files and CTFs all refuse the same things, with the same words (pure: no Django).

    text_problem("Ruby\x00", max_length=100)      -> "must not contain control characters ..."
    parse_iso_date("2025-W01-1")                   -> raises ValueError (YYYY-MM-DD only)
    parse_whole_number("٣")                        -> raises ValueError (ASCII digits only)

Each *_problem function returns what is wrong as words that follow the field's name ("Surname
must be 100 characters or fewer"), or None; cme.core.validation turns them into Django's
ValidationError and form validators, cme.api.schemas into pydantic types.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# Largest value a database id or counter column holds (a signed 64-bit integer). Larger numbers
# are refused before they reach a query, where they would overflow.
DB_INT_MAX = 2**63 - 1
# A page number beyond any list's last page: larger numbers are refused (forms: read as page 1),
# so that page times page size never overflows a query's OFFSET.
PAGE_MAX = 100_000

# Characters that change the direction of the text around them (embeddings, overrides and
# isolates): invisible, and used to make "evil.exe" read as "exe.live".
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Line breaks other than \n and \r, which split lines in some readers and not others.
OTHER_LINE_BREAKS = frozenset("\u2028\u2029\x85\x0b\x0c")
# Kept in multi-line text (a concern, a note): the ordinary line breaks and tab.
MULTILINE_ALLOWED = frozenset("\n\r\t")

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def _name(ch: str) -> str:
    return f"U+{ord(ch):04X}" + (f" {unicodedata.name(ch)}" if unicodedata.name(ch, "") else "")


def bad_character(value: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """The first character no text field may hold, as (position from 1, what it is), or None.

    Refused everywhere: control characters (NUL, escape, delete; C0 and C1), characters that
    change the direction of text, line breaks other than \\n and \\r, lone surrogates and
    non-characters. In multi-line text, \\n, \\r and tab are allowed.
    """
    if value.isprintable():  # the common case, in C: no control, separator or format character
        return None
    for i, ch in enumerate(value, start=1):
        if multiline and ch in MULTILINE_ALLOWED:
            continue
        category = unicodedata.category(ch)
        if ch in "\n\r":
            return i, f"a line break ({_name(ch)})"
        if category == "Cc":
            return i, f"a control character ({_name(ch)})"
        if ch in DIRECTION_CONTROLS:
            return i, f"a character that changes the direction of text ({_name(ch)})"
        if ch in OTHER_LINE_BREAKS or category in ("Zl", "Zp"):
            return i, f"a line break ({_name(ch)})"
        if category == "Cs" or (category == "Cn" and (ord(ch) & 0xFFFE) == 0xFFFE):
            return i, f"a character that is not text ({_name(ch)})"
    return None


def text_problem(value: str, *, max_length: int | None = None, multiline: bool = False) -> str | None:
    """What is wrong with a piece of text, as words to follow the field's name; None if nothing.

    Length is counted in characters, as the database columns count it. A character that is
    refused is named first: it says more than the length does."""
    found = bad_character(value, multiline=multiline)
    if found:
        where, what = found
        return f"must not contain {what}: it is character {where:,}"
    if max_length is not None and len(value) > max_length:
        return f"must be {max_length:,} characters or fewer"
    return None


def shown(value: str, limit: int = 40) -> str:
    """A value quoted back in a message: at most `limit` characters, anything unprintable
    written as its code (a 130,000-character cell or an escape sequence is not echoed as is)."""
    cut = value[:limit]
    text = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in cut)
    return f"“{text}”" + ("…" if len(value) > limit else "")


def is_ascii_digits(value: str) -> bool:
    """0-9 only: str.isdigit() also says yes to "²" and "٣" (and fullwidth digits), which int() reads or refuses."""
    return bool(_DIGITS.fullmatch(value))


def parse_whole_number(value: str, *, max_value: int = DB_INT_MAX) -> int:
    """A whole number written in ASCII digits, at most max_value; ValueError otherwise."""
    value = value.strip()
    if not is_ascii_digits(value) or len(value) > len(str(max_value)) or int(value) > max_value:
        raise ValueError(value)
    return int(value)


def parse_iso_date(value: str) -> date:
    """A date written YYYY-MM-DD, as the documents ask; ValueError for anything else.

    date.fromisoformat() also reads ISO week dates ("2025-W01-1") and the basic format
    ("20250101"); neither is what a person or a file meant by a date here."""
    value = value.strip()
    if not _ISO_DATE.fullmatch(value):
        raise ValueError(value)
    return date.fromisoformat(value)


def page_number(raw: str | None) -> int:
    """The page asked for in a query string; anything but a whole number from 1 to PAGE_MAX
    means the first page."""
    try:
        page = parse_whole_number(raw or "", max_value=PAGE_MAX)
    except ValueError:
        return 1
    return max(1, page)
