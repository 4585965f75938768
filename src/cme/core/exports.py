"""Lists written out as CSV or XLSX, safe to open in a spreadsheet.

A value that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read by a
spreadsheet as a formula (OWASP "CSV injection"): a child's name typed as ``=HYPERLINK(...)`` must
not run when a manager opens the export. In CSV such a value is written with a leading apostrophe;
in XLSX it is stored as a text cell, which no spreadsheet evaluates. Numbers and dates stay numbers
and dates. Auditing the export is the caller's business (the audit room sits above this one).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any) -> Any:
    """The value as a CSV cell: ``None`` as empty, dates in ISO form, formula starts defused."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    # A byte-order mark so Excel reads UTF-8 names (Zoë, Łukasz) correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Export") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))

    def cell(value: Any) -> Any:
        if value is None:
            return None
        c = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            # Always text: openpyxl would otherwise store "=..." as a formula.
            c.data_type = "s"
        elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            c.number_format = "yyyy-mm-dd"
        return c

    sheet.append([cell(h) for h in header])
    for row in rows:
        sheet.append([cell(_xlsx_value(v)) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # XLSX has no time zones; write the wall-clock time in UTC.
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, str | int | float | dt.date) or value is None:
        return value
    return str(value)


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in sheet names and anything over 31 characters.
    cleaned = "".join(" " if ch in '[]:*?/\\' else ch for ch in title).strip() or "Export"
    return cleaned[:31]


def export_response(fmt: str, *, filename: str, header: Sequence[str],
                    rows: Iterable[Sequence[Any]], title: str = "Export") -> HttpResponse:
    """An attachment response for ``fmt`` "csv" or "xlsx"; ``filename`` without its extension."""
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(header, rows, title=title), content_type=XLSX_TYPE)
    elif fmt == "csv":
        response = HttpResponse(csv_bytes(header, rows), content_type=CSV_TYPE)
    else:
        raise ValueError(f"Unknown export format {fmt!r}")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
