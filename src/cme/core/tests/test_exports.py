import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from cme.core.exports import csv_bytes, export_response, safe_cell, xlsx_bytes

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("value", HOSTILE)
def test_csv_writes_a_formula_start_as_text(value):
    text = csv_bytes(["name"], [[value]]).decode("utf-8-sig")
    cell = text.splitlines()[1] if value[0] not in "\t\r" else text.split("\r\n")[1]
    assert cell.strip('"').startswith("'")


def test_csv_keeps_numbers_dates_and_plain_names():
    text = csv_bytes(["a", "b", "c", "d"], [[3, dt.date(2026, 9, 1), "Zoë O'Neil", None]])
    assert text.decode("utf-8-sig").splitlines()[1] == "3,2026-09-01,Zoë O'Neil,"
    assert safe_cell(-4) == -4  # a negative number is a number, not a formula


@pytest.mark.parametrize("value", HOSTILE)
def test_xlsx_stores_a_formula_start_as_a_text_cell(value):
    book = load_workbook(io.BytesIO(xlsx_bytes(["name"], [[value]], title="Children: A/B")))
    cell = book.active["A2"]
    assert cell.data_type == "s"
    # XLSX keeps no bare carriage return; what matters is that the cell is text, not a formula.
    assert cell.value.lstrip("\r\n") == value.lstrip("\r\n")


def test_xlsx_keeps_numbers_and_dates_typed():
    book = load_workbook(io.BytesIO(xlsx_bytes(["n", "d"], [[7, dt.date(2026, 1, 5)]])))
    row = [c.value for c in book.active[2]]
    assert row[0] == 7
    assert row[1].date() == dt.date(2026, 1, 5)


def test_export_response_names_the_file():
    response = export_response("xlsx", filename="pace", header=["a"], rows=[[1]])
    assert response["Content-Disposition"] == 'attachment; filename="pace.xlsx"'
    with pytest.raises(ValueError):
        export_response("pdf", filename="x", header=[], rows=[])
