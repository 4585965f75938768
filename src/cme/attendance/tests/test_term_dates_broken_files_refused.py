"""A broken term-dates file is refused naming the row and field, through the service, the page
and the command, and the term dates held stay as they were. (Issue 9: an unclosed quote loaded 1
period of 8 as a success; terms in year 1 or 9999 crashed the calendar; 200-year, duplicate and
overlapping terms were taken.)"""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from cme.attendance.calendar import SchoolCalendar, read_term_dates
from cme.attendance.models import CalendarPeriod
from cme.attendance.services import ImportRejected, term_dates_import
from cme.attendance.tests.db_builders import TERM_DATES_901, load_term_dates

pytestmark = pytest.mark.django_db

HEADER = "scope,kind,start,end,name\n"


@pytest.fixture
def held(la_a):
    load_term_dates(la_a)
    return list(CalendarPeriod.objects.order_by("pk").values_list("kind", "start", "end"))


def refused(la, data: bytes | str) -> list[str]:
    before = list(CalendarPeriod.objects.order_by("pk").values_list("kind", "start", "end"))
    with pytest.raises(ImportRejected) as e:
        term_dates_import(actor=None, la_id=la.pk, data=data, filename="terms.csv")
    assert list(CalendarPeriod.objects.order_by("pk").values_list("kind", "start", "end")) == before
    return e.value.errors


def test_an_unclosed_quote_is_refused_naming_the_row_where_it_opened(la_a, held):
    lines = TERM_DATES_901.splitlines(keepends=True)
    lines[2] = '"' + lines[2]
    assert refused(la_a, "".join(lines)) == [
        "row 3, field scope: a quote opens on this row and is never closed: close it, or remove it"]


@pytest.mark.parametrize("breaker", ["\u2028", "\x85", "\x0c"])
def test_odd_line_breaks_do_not_shift_row_numbers_on_the_page(client_for, officer_a, la_a, held, breaker):
    lines = TERM_DATES_901.splitlines(keepends=True)
    lines[1] = lines[1].replace("Autumn 1", f"Autumn{breaker}1")
    lines[4] = lines[4].replace("term", "holiday")
    response = client_for(officer_a).post("/attendance/term-dates", {
        "file": SimpleUploadedFile("terms.csv", "".join(lines).encode(), content_type="text/csv"),
        "provider": ""})
    assert response.status_code == 200
    assert "row 2, field name: must not contain" in response.text
    assert "row 5, field kind" in response.text


@pytest.mark.parametrize("row, words", [
    ("901,term,0001-09-01,0001-10-20,Year one", "row 2, field start: 0001-09-01 is not a date from 2000 to 2099"),
    ("901,term,9999-09-01,9999-10-20,Far", "row 2, field start: 9999-09-01 is not a date from 2000 to 2099"),
    ("901,term,2025-09-01,2225-07-20,Two hundred years", "row 2, field end: 2225-07-20 is not a date from 2000"),
    ("901,term,2025-09-01,2027-07-20,Two years", "row 2, field end: 2027-07-20 is more than a year after the start"),
    ("901,term,20250901,2025-10-24,Basic", "row 2, field start: “20250901” is not a date (YYYY-MM-DD)"),
    ("901,term,2025-W36-1,2025-10-24,Week", "row 2, field start: “2025-W36-1” is not a date"),
    ("\u0669\u0660\u0661,term,2025-09-01,2025-10-24,Digits", "row 2, field scope:"),
    ("901,term,2025-09-01,2025-10-24,Autumn\x1b[2J", "row 2, field name: must not contain a control character"),
    ("901,term,2025-09-01,2025-10-24," + "x" * 101, "row 2, field name: must be 100 characters or fewer"),
])
def test_impossible_periods_are_refused(la_a, held, row, words):
    errors = refused(la_a, HEADER + row + "\n")
    assert any(e.startswith(words) for e in errors), errors


def test_the_same_term_twice_and_overlapping_terms_are_refused(la_a, held):
    data = (HEADER + "901,term,2025-09-01,2025-10-24,Autumn 1\n"
            "901,term,2025-11-03,2025-12-19,Autumn 2\n"
            "901,term,2025-09-01,2025-10-24,Autumn 1\n"
            "901,term,2025-10-20,2025-11-07,Overlap\n")
    assert refused(la_a, data) == [
        "row 3, field start: the term overlaps the term on row 5, which ends 2025-11-07",
        "row 4: the same term as row 2",
        "row 5, field start: the term overlaps the term on row 2, which ends 2025-10-24",
    ]


def test_a_provider_may_have_its_own_terms_beside_the_las(la_a, school_a):
    data = (HEADER + "901,term,2025-09-01,2025-12-19,Autumn\n"
            f"{school_a.laestab},term,2025-09-03,2025-12-17,Autumn\n")
    assert term_dates_import(actor=None, la_id=la_a.pk, data=data).rows == 2


def test_a_header_only_file_is_refused(la_a, held):
    assert refused(la_a, HEADER) == ["row 2, field file: the file has column names but no rows under them"]


def test_a_column_named_twice_is_refused(la_a, held):
    errors = refused(la_a, "scope,kind,start,end,name,start\n901,term,2025-09-01,2025-10-24,A,2025-09-02\n")
    assert errors == ["row 1, field start: the column is named twice (columns 3 and 6): which one is meant? "
                      "Remove the other"]


def test_a_field_past_the_csv_limit_is_refused_not_a_crash(la_a, held):
    errors = refused(la_a, HEADER + "901,term,2025-09-01,2025-10-24," + "x" * 140_000 + "\n")
    assert errors == ["row 2, field name: a field runs past 131,072 characters: a quote opened on this row may not be closed"]


def test_term_dates_in_year_1_or_9999_held_from_before_are_a_calendar_error_not_a_crash():
    import datetime as dt

    from cme.attendance.calendar import CalendarError, Period

    for year in (1, 9999):
        with pytest.raises(CalendarError, match="outside 2000 to 2099"):
            SchoolCalendar([Period("901", "term", dt.date(year, 9, 1), dt.date(year, 10, 1))])


def test_the_pure_reader_names_every_problem():
    periods, errors = read_term_dates(HEADER + "901,term,2025-09-01,2025-10-24,A\n901,holiday,2025-11-03,,B\n")
    assert len(periods) == 1 and errors == ["row 3, field kind: “holiday” is not one of term, inset, closure"]


def test_the_command_refuses_an_unclosed_quote(la_a, held, tmp_path):
    lines = TERM_DATES_901.splitlines(keepends=True)
    lines[4] = '"' + lines[4]
    path = tmp_path / "terms.csv"
    path.write_text("".join(lines))
    with pytest.raises(CommandError, match="row 5, field scope: a quote opens"):
        call_command("import-term-dates", str(path), stdout=StringIO())


def test_the_command_keeps_the_files_row_numbers_for_each_la(la_a, la_b, tmp_path):
    path = tmp_path / "terms.csv"
    path.write_text(HEADER + "907,term,2025-09-01,2025-10-24,B\n901,term,2025-09-01,2025-10-24,A\n"
                    "901,inset,2025-09-01,2025-09-01,I\n907,term,2025-09-01,2025-10-24,B\n")
    with pytest.raises(CommandError, match="row 5: the same term as row 2"):
        call_command("import-term-dates", str(path), stdout=StringIO())
