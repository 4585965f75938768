"""Registers from a school information system CSV: one stored row per enrolment per year, all
or nothing, idempotent, and a replaced mark kept in history."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cme.attendance.models import RegisterImport, RegisterMarkChange, RegisterYear
from cme.attendance.selectors import provider_latest_marked, register_codes, registers_for_screening
from cme.attendance.services import ImportRejected, registers_import_file
from cme.attendance.tests.db_builders import days_of_marks, register_csv
from cme.audit.models import AuditEvent
from cme.testing import factories as f

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 9, 8)


@pytest.fixture
def pupil(la_a, school_a):
    child = f.make_child(la_a, upn=f.make_upn("901", "2001", serial=11))
    f.enrol(child, school_a, entry=dt.date(2025, 9, 3), upn=child.upn)
    return child


def load(data: bytes, **scope):
    return registers_import_file(actor=None, data=data, filename="reg.csv", **scope)


def test_a_fortnight_is_one_row_per_enrolment_year(pupil, school_a):
    report = load(register_csv(*days_of_marks(pupil.upn, school_a.laestab, MONDAY, 10)))
    assert (report.rows_read, report.marks_added, report.marks_changed) == (20, 20, 0)
    register = RegisterYear.objects.get()
    assert register.academic_year == 2025
    assert register.start_date == dt.date(2025, 9, 3)  # entry date, after 1 September
    assert register.last_marked == dt.date(2025, 9, 19)
    days = {d: (am, pm) for d, am, pm in register_codes(register)}
    assert days[MONDAY] == ("/", "\\")
    assert days[dt.date(2025, 9, 13)] == ("-", "-")  # Saturday
    assert AuditEvent.objects.filter(object_type="register").count() == 1


def test_the_same_file_twice_changes_nothing(pupil, school_a):
    data = register_csv(*days_of_marks(pupil.upn, school_a.laestab, MONDAY, 5))
    load(data)
    before = bytes(RegisterYear.objects.get().marks)
    report = load(data)
    assert (report.marks_added, report.marks_changed, report.marks_unchanged) == (0, 0, 10)
    assert bytes(RegisterYear.objects.get().marks) == before
    assert not RegisterMarkChange.objects.exists()


def test_an_n_later_given_its_reason_is_kept_in_history(pupil, school_a):
    load(register_csv(*days_of_marks(pupil.upn, school_a.laestab, MONDAY, 1, am="N", pm="N")))
    report = load(register_csv((pupil.upn, school_a.laestab, MONDAY.isoformat(), "AM", "I"),
                               (pupil.upn, school_a.laestab, MONDAY.isoformat(), "PM", "I")))
    assert (report.marks_added, report.marks_changed) == (0, 2)
    changes = list(RegisterMarkChange.objects.values_list("date", "session", "old_code", "new_code"))
    assert changes == [(MONDAY, "AM", "N", "I"), (MONDAY, "PM", "N", "I")]
    assert RegisterMarkChange.objects.first().register_import == RegisterImport.objects.first()
    days = {d: (am, pm) for d, am, pm in register_codes(RegisterYear.objects.get())}
    assert days[MONDAY] == ("I", "I")


def test_unknown_code_names_pupil_date_and_session(pupil, school_a):
    with pytest.raises(ImportRejected) as e:
        load(register_csv((pupil.upn, school_a.laestab, MONDAY.isoformat(), "PM", "H")))
    assert e.value.errors == [
        f"row 2, field code: unknown attendance code 'H' for pupil {pupil.upn} on "
        f"{MONDAY.isoformat()} PM (codes from 19 August 2024)"]


def test_earlier_codes_before_august_2024(la_a, school_a):
    child = f.make_child(la_a, upn=f.make_upn("901", "2001", serial=12))
    f.enrol(child, school_a, entry=dt.date(2023, 9, 4), upn=child.upn)
    report = load(register_csv((child.upn, school_a.laestab, "2024-07-01", "AM", "H"),
                               (child.upn, school_a.laestab, "2024-07-01", "PM", "H")))
    assert report.marks_added == 2
    assert RegisterYear.objects.get().academic_year == 2023


def test_every_bad_row_is_named_and_nothing_is_stored(pupil, school_a):
    good = days_of_marks(pupil.upn, school_a.laestab, MONDAY, 2)
    bad = [
        ("A999999999999", school_a.laestab, MONDAY.isoformat(), "AM", "/"),  # row 6: unknown pupil
        (pupil.upn, "9019999", MONDAY.isoformat(), "AM", "/"),  # row 7: unknown provider
        (pupil.upn, school_a.laestab, "2025-09-31", "AM", "/"),  # row 8: impossible date
        (pupil.upn, school_a.laestab, MONDAY.isoformat(), "EVE", "/"),  # row 9: session
        (pupil.upn, school_a.laestab, MONDAY.isoformat(), "AM", "ZZ"),  # row 10: code
    ]
    with pytest.raises(ImportRejected) as e:
        load(register_csv(*good, *bad))
    fields = [m.split(":")[0] for m in e.value.errors]
    assert fields == ["row 8, field date", "row 9, field session", "row 10, field code",
                      "row 6, field upn", "row 7, field laestab"]
    assert not RegisterYear.objects.exists()
    assert not RegisterImport.objects.exists()


def test_a_pupil_not_on_roll_that_day_is_an_error(pupil, school_a):
    with pytest.raises(ImportRejected, match="row 2, field upn: no pupil"):
        load(register_csv((pupil.upn, school_a.laestab, "2025-09-02", "AM", "/")))


def test_a_school_user_can_load_only_its_own_provider(la_a, pupil, school_a):
    other = f.make_school(la_a, "Northmoor High School", estab="4002")
    with pytest.raises(ImportRejected, match="field laestab: 9014002 is not your provider"):
        load(register_csv((pupil.upn, other.laestab, MONDAY.isoformat(), "AM", "/")),
             provider_id=school_a.pk, la_id=la_a.pk)


def test_registers_for_screening_and_latest_marked(la_a, pupil, school_a):
    load(register_csv(*days_of_marks(pupil.upn, school_a.laestab, MONDAY, 5)))
    regs = registers_for_screening(la_id=la_a.pk, as_of=dt.date(2025, 9, 20))
    assert regs.upn.tolist() == [pupil.upn]
    assert regs.laestab.tolist() == [school_a.laestab]
    assert regs.origin == dt.date(2025, 9, 1)
    day = (MONDAY - regs.origin).days
    assert bytes(regs.marks[0, 2 * day:2 * day + 2]) == b"/\\"
    assert regs.row.tolist() == [pupil.enrolments.get().pk]
    assert provider_latest_marked(la_id=la_a.pk) == {school_a.laestab: dt.date(2025, 9, 12)}


def test_import_registers_command(pupil, school_a, tmp_path, capsys):
    path = tmp_path / "reg.csv"
    path.write_bytes(register_csv(*days_of_marks(pupil.upn, school_a.laestab, MONDAY, 5)))
    call_command("import-registers", str(path), verbosity=0)
    assert "10 rows read: 10 marks added, 0 changed, 0 unchanged" in capsys.readouterr().out
    call_command("import-registers", str(path), verbosity=0)
    assert "0 marks added, 0 changed, 10 unchanged" in capsys.readouterr().out
    path.write_bytes(register_csv((pupil.upn, school_a.laestab, MONDAY.isoformat(), "XM", "/")))
    with pytest.raises(CommandError, match="row 2, field session"):
        call_command("import-registers", str(path), verbosity=0)
