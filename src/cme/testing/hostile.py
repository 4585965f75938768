"""Hostile files for the importers' fuzz tests (hypothesis): a good file, then what an attacker
or a broken spreadsheet does to it. Each importer's fuzz test asserts the same three things:
no crash; success or a refusal naming row and field; nothing changed on refusal. A success
must be honest too: as many rows taken as the file has rows (an unclosed quote once swallowed
180 pupils and reported success).
"""

from __future__ import annotations

import contextlib
import os
import re

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# What a fuzz test of an importer runs with: examples share the test's database transaction. A
# short round in `make test`; a long one with CME_FUZZ_EXAMPLES (docs/operations.md).
FUZZ = settings(max_examples=int(os.environ.get("CME_FUZZ_EXAMPLES", "100")), deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

HOSTILE_TEXT = [
    "\x00", "\x1b[2J", "\x7f", "\u202e", "\u2066", "\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\t",
    '"', '""', '"x', ",", ";", "\r", "\n", "\r\n", "\ufeff", "\u00b2", "\u0663", "\uff19", "\U0001d7d8",
    "9" * 25, "-1", "0", "2099-01-05", "9999-12-31", "0001-01-01", "2025-W01-1", "20250101",
    "31/02/2025", "=HYPERLINK(\"x\")", "é", "\u0301", "\ud7ff", "x" * 300,
]
HOSTILE_BYTES = [b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d", b"\xff", b"\xc3", b"\xe2\x80", b"\x00"]


@st.composite
def hostile_file(draw, good: bytes) -> bytes:
    """The good file with one to four mutations."""
    data = bytearray(good)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(0, len(data))))
        kind = draw(st.sampled_from(["text", "text", "bytes", "delete", "line", "truncate", "field",
                                     "cp1252", "header", "huge"]))
        if kind == "text":
            data[at:at] = draw(st.sampled_from(HOSTILE_TEXT)).encode("utf-8", "surrogatepass")
        elif kind == "bytes":
            data[at:at] = draw(st.sampled_from(HOSTILE_BYTES))
        elif kind == "delete":
            data[at:at + draw(st.integers(1, 20))] = b""
        elif kind == "line":  # a line twice, or a blank one
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, draw(st.sampled_from([lines[i], b"", b",,,", b'"'])))
            data = bytearray(b"\n".join(lines))
        elif kind == "truncate":
            del data[at:]
        elif kind == "field":  # a whole field of hostile text
            field = draw(st.text(min_size=1, max_size=30))
            data[at:at] = field.encode("utf-8", "surrogatepass")
        elif kind == "cp1252":
            with contextlib.suppress(UnicodeDecodeError, UnicodeEncodeError):
                data = bytearray(bytes(data).decode("utf-8").encode("cp1252"))
        elif kind == "header":  # the header alone, or with a column twice
            first, _, rest = bytes(data).partition(b"\n")
            data = bytearray(first + b"," + first.split(b",")[0] + b"\n" + rest
                             if draw(st.booleans()) else first + b"\n")
        elif kind == "huge" and draw(st.integers(0, 4)) == 0:  # rarely: slow to build
            data[at:at] = b"x" * 140_000
    return bytes(data)


def data_rows(data: bytes) -> int:
    """How many rows under the header a file has, read the plain way: lines split at \\n, \\r or
    \\r\\n, a line of nothing but commas, quotes and spaces being blank. The oracle for an
    honest success: in a file that was taken, no field holds a line break."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    lines = re.split(r"\r\n|\r|\n", text)[1:]
    return sum(1 for line in lines if line.replace(",", "").replace('"', "").strip())


_ROW_AND_FIELD = re.compile(r"^(row|pupil) \d+( \(UPN [^)]*\))?, (field )?\S", re.IGNORECASE)


def names_row_and_field(message: str) -> bool:
    """`Row 4 (UPN ...), upn: ...` or `row 4, field upn: ...` (`pupil 2, ...` for a CTF)."""
    return bool(_ROW_AND_FIELD.match(message))
