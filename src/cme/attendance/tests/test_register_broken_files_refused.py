"""A broken register file, or a mark no register can hold, is refused naming the row and field,
and nothing is stored: through the service, the upload page and the command. (Issue 9: an
unclosed quote loaded 3 rows of 10 as a success; a mark dated 9999-12-31 was accepted and then
stopped the nightly screening of the whole authority.)"""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cme.attendance.models import RegisterImport, RegisterYear
from cme.attendance.services import ImportRejected, registers_import_file
from cme.attendance.tests.db_builders import days_of_marks, load_term_dates, register_csv
from cme.testing import factories as f

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 9, 8)
HEADER = "upn,laestab,date,session,code\n"


@pytest.fixture
def pupil(la_a, school_a):
    child = f.make_child(la_a, upn=f.make_upn("901", "2001", serial=31))
    f.enrol(child, school_a, entry=dt.date(2025, 9, 3), upn=child.upn)
    return child


def rows(pupil, school, n: int = 5) -> list[str]:
    return [",".join(r) for r in days_of_marks(pupil.upn, school.laestab, MONDAY, n)]


def refused(data: bytes, **scope) -> list[str]:
    with pytest.raises(ImportRejected) as e:
        registers_import_file(actor=None, data=data, filename="reg.csv", **scope)
    assert not RegisterYear.objects.exists() and not RegisterImport.objects.exists()
    return e.value.errors


def test_an_unclosed_quote_is_refused_naming_the_row_where_it_opened(pupil, school_a):
    lines = rows(pupil, school_a)
    lines[2] = '"' + lines[2]
    errors = refused((HEADER + "\n".join(lines) + "\n").encode())
    assert errors == ["row 4, field upn: a quote opens on this row and is never closed: close it, or remove it"]


@pytest.mark.parametrize("breaker", ["\u2028", "\x85", "\x0c"])
def test_odd_line_breaks_do_not_shift_row_numbers(pupil, school_a, breaker):
    lines = rows(pupil, school_a)
    lines[1] = lines[1].replace(",AM,", f",AM{breaker},").replace(",PM,", f",PM{breaker},")
    lines[5] = lines[5].replace(pupil.upn, "A999999999999")
    errors = refused((HEADER + "\n".join(lines) + "\n").encode())
    assert errors[0].startswith("row 3, field session: must not contain")
    assert errors[1].startswith("row 7, field upn: no pupil")


def test_a_field_past_the_csv_limit_is_refused_not_a_crash(pupil, school_a):
    lines = [*rows(pupil, school_a, 1), f"{pupil.upn},{school_a.laestab},2025-09-09,AM," + "/" * 140_000]
    errors = refused((HEADER + "\n".join(lines) + "\n").encode())
    assert errors == ["row 4, field code: a field runs past 131,072 characters: a quote opened on this row may not be closed"]


def test_a_header_only_file_is_refused(db):
    assert refused(HEADER.encode()) == ["row 2, field file: the file has column names but no rows under them"]


def test_a_column_named_twice_is_refused(pupil, school_a):
    errors = refused(b"upn,laestab,date,session,code,code\n" + rows(pupil, school_a, 1)[0].encode() + b",N\n")
    assert errors == ["row 1, field code: the column is named twice (columns 5 and 6): which one is meant? "
                      "Remove the other"]


def test_text_that_is_not_utf8_is_refused_naming_the_row(pupil, school_a):
    data = (HEADER + "\n".join(rows(pupil, school_a, 1))).encode() + b"\nA\xff99\n"
    [error] = refused(data)
    assert error.startswith("row 4, field file: the file is not UTF-8 text")


@pytest.mark.parametrize("written", ["20250908", "2025-W37-1", "08/09/2025", "\u0662\u0660\u0662\u0665-09-08"])
def test_a_date_not_written_yyyy_mm_dd_is_refused(pupil, school_a, written):
    [error] = refused(register_csv((pupil.upn, school_a.laestab, written, "AM", "/")))
    assert error.startswith("row 2, field date:") and "is not a date (YYYY-MM-DD)" in error


@pytest.mark.parametrize("value, field", [
    (f"\u0669{'0' * 6}", "laestab"), ("\x00", "code"), ("\u202e/", "code"),
])
def test_non_ascii_digits_and_control_characters_are_refused(pupil, school_a, value, field):
    row = {"upn": pupil.upn, "laestab": school_a.laestab, "date": MONDAY.isoformat(), "session": "AM", "code": "/"}
    row[field] = value
    [error] = refused(register_csv(tuple(row.values())))
    assert error.startswith(f"row 2, field {field}")


@pytest.mark.parametrize("day", ["9999-12-31", "2099-01-05"])
def test_marks_after_today_are_refused(pupil, school_a, day):
    [error] = refused(register_csv((pupil.upn, school_a.laestab, day, "AM", "/")))
    assert error == f"row 2, field date: {day} is after today: a register is marked on the day or after it"


def test_tomorrow_is_after_today(pupil, school_a):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    [error] = refused(register_csv((pupil.upn, school_a.laestab, tomorrow, "AM", "/")))
    assert "is after today" in error


def test_marks_before_the_enrolment_are_refused(pupil, school_a):
    [error] = refused(register_csv((pupil.upn, school_a.laestab, "2025-09-02", "AM", "/")))
    assert error.startswith("row 2, field upn: no pupil with UPN")


def test_marks_on_a_sunday_are_refused(pupil, school_a):
    [error] = refused(register_csv((pupil.upn, school_a.laestab, "2025-09-14", "AM", "/")))
    assert error == "row 2, field date: 2025-09-14 is a Sunday, when no register is taken"


def test_marks_in_the_holidays_are_refused_by_the_term_dates(la_a, pupil, school_a):
    load_term_dates(la_a)
    # Half-term: 27 October 2025 is a Monday between Autumn 1 and Autumn 2.
    errors = refused(register_csv((pupil.upn, school_a.laestab, "2025-10-27", "AM", "/"),
                                  (pupil.upn, school_a.laestab, "2025-09-01", "PM", "N")))
    assert errors[0].startswith("row 2, field date: 2025-10-27 is not a school day of 9012001")
    assert errors[1].startswith("row 3, field date: 2025-09-01") or "no pupil" in errors[1]


def test_a_planned_closure_may_be_marked_on_an_inset_day(la_a, school_a):
    load_term_dates(la_a)
    child = f.make_child(la_a, upn=f.make_upn("901", "2001", serial=32))
    f.enrol(child, school_a, entry=dt.date(2025, 9, 1), upn=child.upn)
    report = registers_import_file(actor=None, data=register_csv(
        (child.upn, school_a.laestab, "2025-09-01", "AM", "#"),  # INSET in the term dates
        (child.upn, school_a.laestab, "2025-09-03", "AM", "/")), filename="reg.csv")
    assert report.marks_added == 2


def test_the_upload_page_refuses_an_unclosed_quote(client_for, officer_a, pupil, school_a,
                                                   django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cme.testing.tasks import run_queued_tasks

    lines = rows(pupil, school_a)
    lines[2] = '"' + lines[2]
    client = client_for(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/attendance/registers/upload", {
            "file": SimpleUploadedFile("reg.csv", (HEADER + "\n".join(lines)).encode(), content_type="text/csv")})
    assert response.status_code == 302
    run_queued_tasks()
    page = client.get(response["Location"])
    assert "row 4, field upn: a quote opens on this row and is never closed" in page.text
    assert "Not loaded: the file has problems" in page.text
    assert not RegisterYear.objects.exists()


def test_the_page_lists_the_first_hundred_problems_and_the_count(client_for, officer_a, pupil, school_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cme.attendance.models import RegisterUpload
    from cme.attendance.services import register_upload_load

    bad = HEADER + "".join(f"{pupil.upn},{school_a.laestab},2025-09-08,EVE,/\n" for _ in range(250))
    client = client_for(officer_a)
    posted = client.post("/attendance/registers/upload", {
        "file": SimpleUploadedFile("reg.csv", bad.encode(), content_type="text/csv")})
    register_upload_load(upload_id=RegisterUpload.objects.get().pk)  # the worker
    response = client.get(posted["Location"])
    assert response.text.count("is not AM or PM") == 100
    assert "And 150 more" in response.text


def test_the_command_refuses_an_unclosed_quote_and_caps_the_list(pupil, school_a, tmp_path):
    lines = rows(pupil, school_a)
    lines[2] = '"' + lines[2]
    path = tmp_path / "reg.csv"
    path.write_text(HEADER + "\n".join(lines))
    with pytest.raises(CommandError, match="row 4, field upn: a quote opens"):
        call_command("import-registers", str(path), stdout=StringIO(), verbosity=0)
    path.write_text(HEADER + "".join(f"{pupil.upn},{school_a.laestab},2025-09-08,EVE,/\n" for _ in range(150)))
    with pytest.raises(CommandError) as e:
        call_command("import-registers", str(path), stdout=StringIO(), verbosity=0)
    assert str(e.value).count("is not AM or PM") == 100 and "… and 50 more problems" in str(e.value)
    assert not RegisterYear.objects.exists()


def test_a_ctf_with_pupils_but_no_marks_is_refused(pupil):
    data = f"""<CTfile><Header><CTFversion>25.0</CTFversion></Header><CTFpupilData>
      <Pupil><UPN>{pupil.upn}</UPN><Surname>A</Surname></Pupil></CTFpupilData></CTfile>""".encode()
    assert refused(data) == ["the file holds no attendance marks"]


@pytest.mark.parametrize("element, value", [("SessionsPossible", "\u00b2"), ("AttendanceStartDate", "2025-W37-1")])
def test_a_ctf_number_or_date_in_the_wrong_form_is_refused_not_a_crash(pupil, element, value):
    start = value if element == "AttendanceStartDate" else "2025-09-08"
    possible = value if element == "SessionsPossible" else "10"
    data = f"""<CTfile><Header><CTFversion>25.0</CTFversion></Header><CTFpupilData><Pupil>
      <UPN>{pupil.upn}</UPN><Attendance><YearData><Year>2025</Year><LEA>901</LEA><Estab>2001</Estab>
      <SessionsPossible>{possible}</SessionsPossible><AttendSessions>
      <AttendanceStartDate>{start}</AttendanceStartDate><AttendanceMarks>//</AttendanceMarks>
      </AttendSessions></YearData></Attendance></Pupil></CTFpupilData></CTfile>""".encode()
    [error] = refused(data)
    assert element in error and "pupil 1" in error.lower()
