"""The Attendance part of a common transfer file loads like a register CSV."""

import datetime as dt

import pytest

from cme.attendance.models import RegisterYear
from cme.attendance.selectors import register_codes
from cme.attendance.services import ImportRejected, registers_import_file
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


def ctf(upn: str, lea: str, estab: str, start: str, marks: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<CTfile>
  <Header><DocumentName>Common Transfer File</DocumentName><CTFversion>25.0</CTFversion></Header>
  <CTFpupilData>
    <Pupil>
      <UPN>{upn}</UPN><Surname>Hartley</Surname><Forename>Ruby</Forename><DOB>2014-03-01</DOB>
      <Attendance>
        <YearData>
          <Year>2025</Year><LEA>{lea}</LEA><Estab>{estab}</Estab><SchoolName>Northmoor Primary</SchoolName>
          <SessionsPossible>10</SessionsPossible>
          <AttendSessions>
            <AttendanceStartDate>{start}</AttendanceStartDate>
            <AttendanceMarks>{marks}</AttendanceMarks>
          </AttendSessions>
        </YearData>
      </Attendance>
    </Pupil>
  </CTFpupilData>
</CTfile>""".encode()


@pytest.fixture
def pupil(la_a, school_a):
    child = f.make_child(la_a, upn=f.make_upn("901", "2001", serial=21))
    f.enrol(child, school_a, entry=dt.date(2025, 9, 1), upn=child.upn)
    return child


def test_ctf_marks_are_stored_with_two_character_codes(pupil):
    # Monday 8 to Sunday 14 September 2025: a week with a part-time afternoon (C2 as ">").
    data = ctf(pupil.upn, "901", "2001", "2025-09-08", "/\\/\\/>NNI\\----")
    report = registers_import_file(actor=None, data=data, filename="pupil.xml")
    assert (report.rows_read, report.marks_added) == (10, 10)
    register = RegisterYear.objects.get()
    days = {d: (am, pm) for d, am, pm in register_codes(register)}
    assert days[dt.date(2025, 9, 10)] == ("/", "C2")
    assert days[dt.date(2025, 9, 11)] == ("N", "N")
    assert register.last_marked == dt.date(2025, 9, 12)
    again = registers_import_file(actor=None, data=data, filename="pupil.xml")
    assert (again.marks_added, again.marks_changed) == (0, 0)


def test_ctf_unknown_code_names_pupil_date_and_session(pupil):
    with pytest.raises(ImportRejected) as e:
        registers_import_file(actor=None, data=ctf(pupil.upn, "901", "2001", "2025-09-08", "/H"),
                              filename="pupil.xml")
    assert e.value.errors == [f"pupil 1, field code: unknown attendance code 'H' for pupil {pupil.upn} "
                              "on 2025-09-08 PM (codes from 19 August 2024)"]
    assert not RegisterYear.objects.exists()


def test_ctf_that_is_not_xml_is_rejected(pupil):
    with pytest.raises(ImportRejected, match="not a CTF"):
        registers_import_file(actor=None, data=b"<CTfile><Pupil>", filename="broken.xml")
