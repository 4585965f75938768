"""Reading the CSV files people upload: rolls, registers, term dates and the GIAS extract
(pure: no Django). Every importer reads through here, so that a broken file is refused the same
way whichever it is, naming the row (the column names are row 1) and the column:

    table = read_csv(data, known=ROLL_COLUMNS, required=("legal_surname", ...))
    for row in table.rows:                   # stops at the first break in the file's structure
        row.number, row["legal_surname"]
    table.problems                           # [CsvProblem(row, column, message), ...]

What is refused (and why an ordinary csv.reader is not enough):

- an unclosed quote: csv reads the rest of the file into one field and reports success with the
  rows it has left; here any field that runs over a line break is refused, naming the row where
  its quote opened (no field of these files holds a line break), and so is a quote left open at
  the end of the file or followed by anything but a comma;
- a field longer than csv's limit (131,072 characters), which csv raises as an error;
- text that is neither UTF-8 nor (where the format allows it) Windows-1252, and the five bytes
  Windows-1252 leaves undefined, which a lenient decoder would turn into "�" without a word;
- a file with no column names, a column name given twice (which would be read silently from one
  of them), required columns missing, and a file with column names but no rows.

Rows are split only at \\n, \\r or \\r\\n, as csv does: U+2028, U+0085 and form feed are
characters inside a field (and refused there by the text rules), never row breaks, so row
numbers in messages are those a spreadsheet shows. Cells of the columns the caller names are
checked by the text rules (cme.core.inputs): no control characters or direction overrides, and
no longer than the column holds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from cme.core.inputs import text_problem

# Windows-1252 leaves these bytes undefined; Python's cp1252 codec refuses them, and a lenient
# decode would store U+FFFD in their place.
CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
FIELD_LIMIT = csv.field_size_limit()


@dataclass(frozen=True)
class CsvProblem:
    row: int  # as a spreadsheet numbers it: the column names are row 1; 0 for the whole file
    column: str
    message: str

    def __str__(self) -> str:
        where = ", ".join(w for w in (f"Row {self.row}" if self.row else "", self.column) if w)
        return f"{where}: {self.message}" if where else self.message


class CsvRow:
    """One row: its number and its values by column key ("" for a column a short row lacks)."""

    __slots__ = ("_index", "_values", "number")

    def __init__(self, number: int, values: list[str], index: dict[str, int]):
        self.number, self._values, self._index = number, values, index

    def __getitem__(self, key: str) -> str:
        i = self._index.get(key)
        return self._values[i].strip() if i is not None and i < len(self._values) else ""

    def get(self, key: str, default: str = "") -> str:
        return self[key] if key in self._index else default

    @property
    def values(self) -> dict[str, str]:
        return {k: self[k] for k in self._index}


@dataclass
class CsvTable:
    headings: list[str]  # as written, stripped
    keys: list[str]  # each heading's key (see read_csv's `key`)
    rows: list[CsvRow] = field(default_factory=list)
    problems: list[CsvProblem] = field(default_factory=list)
    encoding: str = "utf-8"
    # The file cannot be read as the format at all (no headings, a broken quote...): its rows,
    # if any were read, are not to be checked further.
    broken: bool = False

    def heading(self, key: str) -> str:
        """The column's name as the file writes it, for messages."""
        return self.headings[self.keys.index(key)] if key in self.keys else key


def decode(data: bytes, *, allow_cp1252: bool) -> tuple[str | None, str, list[CsvProblem]]:
    """(text, encoding, problems): UTF-8 (a byte-order mark is dropped); failing that, where the
    format allows it, Windows-1252, strictly."""
    try:
        return data.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as utf8_error:
        if not allow_cp1252:
            row = data.count(b"\n", 0, utf8_error.start) + 1
            return None, "", [CsvProblem(row, "file", f"the file is not UTF-8 text (byte {utf8_error.start:,} "
                                                       f"is 0x{data[utf8_error.start]:02X}): save it as CSV UTF-8")]
    # The first undefined byte, found by a scan in C for each (a GIAS extract is tens of MB).
    found = [i for i in (data.find(bytes([b])) for b in CP1252_UNDEFINED) if i >= 0]
    if found:
        i = min(found)
        row = data.count(b"\n", 0, i) + 1
        return None, "", [CsvProblem(row, "file", f"byte 0x{data[i]:02X} (byte {i:,} of the file) is not a "
                                                  "character in UTF-8 or Windows-1252: is this a CSV file? "
                                                  "Save it as CSV UTF-8")]
    return data.decode("cp1252"), "cp1252", []


def read_csv(data: bytes | str, **options) -> CsvTable:
    """Read a whole CSV file into a table: its headings, all its rows and every problem found
    (the options are iter_csv's)."""
    table, rows = iter_csv(data, **options)
    table.rows = list(rows)
    return table


def iter_csv(
    data: bytes | str,
    *,
    required: Iterable[str] = (),
    known: Iterable[str] | None = None,
    key: Callable[[str], str] = lambda h: h.strip().lower(),
    max_lengths: Mapping[str, int] | None = None,
    check_text: bool = True,
    allow_cp1252: bool = False,
    missing_hint: str = "",
) -> tuple[CsvTable, Iterator[CsvRow]]:
    """A CSV file's table (headings and problems) and its rows one at a time, so that a large
    file (a day's registers) is never held as rows all at once. table.problems grows as the rows
    are read; once they are all read, it holds every problem found.

    required: column keys the file must have; known: the keys the caller reads (duplicates and
    the text rules are checked for these; None: every column); key: how a heading becomes a key;
    max_lengths: the most characters a column's cells may hold (its database column's length);
    check_text: whether to check cells by the text rules here (a caller that checks its values
    itself, as the roll does for CSV and CTF alike, says False); missing_hint: words after "the
    file has no column ...". Reading stops at the first break in the file's structure (an
    unclosed quote, say), because every row after it would be misread; problems with values go on
    to the end of the file.
    """
    table = CsvTable([], [])
    if isinstance(data, bytes):
        text, table.encoding, table.problems = decode(data, allow_cp1252=allow_cp1252)
        if text is None:
            table.broken = True
            return table, iter(())
    else:
        text = data.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems = table.problems
    try:
        raw_headings = next(reader, None)
    except csv.Error as e:
        problems.append(_broken(1, "headings", e))
        table.broken = True
        return table, iter(())
    if not raw_headings or not any(h.strip() for h in raw_headings):
        problems.append(CsvProblem(1, "file", "the file is empty: the first row must hold the column names"))
        table.broken = True
        return table, iter(())
    table.headings = [h.strip() for h in raw_headings]
    table.keys = [key(h) for h in raw_headings]
    wanted = set(table.keys if known is None else known)
    seen: dict[str, int] = {}
    for i, k in enumerate(table.keys):
        if k and k in wanted and k in seen:
            problems.append(CsvProblem(1, table.headings[i], f"the column is named twice (columns {seen[k] + 1} "
                                                             f"and {i + 1}): which one is meant? Remove the other"))
        seen.setdefault(k, i)
    for i, h in enumerate(raw_headings):
        if found := _cell_problem(h, None):
            problems.append(CsvProblem(1, f"column {i + 1}", f"the column name {found}"))
    missing = [k for k in required if k not in seen]
    if missing:
        problems.append(CsvProblem(1, "headings", "the file has no column " + ", ".join(missing) + missing_hint))
    if problems:
        table.broken = True
        return table, iter(())
    where = {k: i for k, i in seen.items() if k in wanted}
    return table, _rows(table, reader, text, where, dict(max_lengths or {}), check_text)


def _rows(table: CsvTable, reader, text: str, where: dict[str, int], limits: dict[str, int],
          check_text: bool) -> Iterator[CsvRow]:
    problems = table.problems
    number, taken = 1, 0
    while True:
        number += 1
        first_line = reader.line_num  # lines read so far: the record starts on the next one
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            index = _quote_field(_physical_line(text, first_line))
            column = (table.headings[index] if index is not None and index < len(table.headings)
                      else f"column {index + 1}" if index is not None else "")
            problems.append(_broken(number, column, e))
            table.broken = True
            return
        opened = next((i for i, v in enumerate(values) if "\n" in v or "\r" in v), None)
        if opened is not None:
            column = table.headings[opened] if opened < len(table.headings) else f"column {opened + 1}"
            problems.append(CsvProblem(
                number, column,
                "a quote opens here and is not closed on this row, so the rows after it would be "
                "read into this field: close the quote, or remove it"))
            table.broken = True
            return
        if not any(v.strip() for v in values):
            continue
        if check_text:
            for k, i in where.items():
                if i < len(values) and values[i] and (found := _cell_problem(values[i], limits.get(k))):
                    problems.append(CsvProblem(number, table.headings[i], found))
        taken += 1
        yield CsvRow(number, values, where)
    if not taken and not problems:
        problems.append(CsvProblem(2, "file", "the file has column names but no rows under them"))
        table.broken = True


def _physical_line(text: str, index: int) -> str:
    """The file's line `index` (from 0) as csv reads lines: split at \\n, \\r and \\r\\n only."""
    for i, line in enumerate(io.StringIO(text, newline="")):
        if i == index:
            return line
    return ""


def _quote_field(line: str) -> int | None:
    """Which field (from 0) of a row's first line a quote breaks: the one whose quote is still
    open at the end of the line, or whose closing quote is followed by something other than a
    comma. None when the line is well quoted (a field too long without quotes)."""
    field, in_quotes, closed, opened_in = 0, False, False, None
    i = 0
    while i < len(line):
        ch = line[i]
        if in_quotes:
            if ch == '"':
                if line[i + 1:i + 2] == '"':
                    i += 1  # a doubled quote inside quotes
                else:
                    in_quotes, closed = False, True
        elif ch == '"' and not closed and (i == 0 or line[i - 1] == ","):
            in_quotes, opened_in = True, field
        elif ch == ",":
            field, closed = field + 1, False
        elif closed and ch not in "\r\n":
            return field  # text after a closing quote
        i += 1
    if in_quotes:
        return opened_in
    if len(line) > FIELD_LIMIT:  # a field too long without quotes: the longest one
        parts = line.split(",")
        return max(range(len(parts)), key=lambda f: len(parts[f]))
    return None


def _cell_problem(value: str, max_length: int | None) -> str | None:
    # Spaces around a value are dropped as the value is read; anything else is checked, so that
    # a tab, form feed or U+2028 at the end of a cell is refused, not stripped without a word.
    return text_problem(value.strip(" "), max_length=max_length)


def _broken(number: int, column: str, error: csv.Error) -> CsvProblem:
    reason = str(error)
    if "field larger than field limit" in reason:
        return CsvProblem(number, column, f"a field runs past {FIELD_LIMIT:,} characters: a quote opened on "
                                          "this row may not be closed")
    if "unexpected end of data" in reason:
        return CsvProblem(number, column, "a quote opens on this row and is never closed: close it, or remove it")
    if "expected after" in reason:
        return CsvProblem(number, column, "the quoted field must end at a comma or at the end of the row "
                                          "(to write a quote inside quotes, double it: \"\")")
    return CsvProblem(number, column, f"the row cannot be read as CSV ({reason})")


def first(problems: list, limit: int = 100) -> tuple[list, int]:
    """The first `limit` problems, and how many more there are: a file with 100,000 bad rows
    gets a list people can read, and the count."""
    return problems[:limit], max(0, len(problems) - limit)
