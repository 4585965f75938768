"""Fuzzing the register importers (CSV and CTF) with hostile files (hypothesis): no crash; an
honest success (every row read) or a refusal naming row and field; nothing stored on refusal."""

import datetime as dt

import pytest
from hypothesis import given

from cme.attendance.models import RegisterImport, RegisterMarkChange, RegisterYear
from cme.attendance.services import ImportRejected, registers_import_file
from cme.attendance.tests.db_builders import days_of_marks, register_csv
from cme.attendance.tests.test_ctf_attendance_import import ctf
from cme.testing import factories as f
from cme.testing.hostile import FUZZ, data_rows, hostile_file, names_row_and_field

pytestmark = pytest.mark.django_db

UPN = f.make_upn("901", "2001", serial=41)
GOOD_CSV = register_csv(*days_of_marks(UPN, "9012001", dt.date(2025, 9, 8), 3),
                        (UPN, "9012001", "2025-09-15", "AM", "C2"))
GOOD_CTF = ctf(UPN, "901", "2001", "2025-09-08", "/\\/\\/>NNI\\----")
# Refusals of the whole file, which name no row because they are about no one row.
WHOLE_FILE = ("the file holds no attendance marks", "the file holds no Pupil elements",
              "the file holds providers of several LAs")


@pytest.fixture
def pupil(la_a, school_a):
    child = f.make_child(la_a, upn=UPN)
    f.enrol(child, school_a, entry=dt.date(2025, 9, 1), upn=UPN)
    return child


def _state():
    return (RegisterYear.objects.count(), RegisterImport.objects.count(), RegisterMarkChange.objects.count(),
            sorted(bytes(m) for m in RegisterYear.objects.values_list("marks", flat=True)))


def _check(data: bytes, csv: bool):
    before = _state()
    try:
        report = registers_import_file(actor=None, data=data, filename="f")
    except ImportRejected as rejected:
        assert rejected.errors
        for error in rejected.errors:
            assert names_row_and_field(error) or error.startswith(WHOLE_FILE) or (
                not csv and error.startswith("the file is not a CTF")), error
        assert _state() == before
        return
    if csv:
        assert report.rows_read == data_rows(data), "a success must read every row of the file"


@FUZZ
@given(data=hostile_file(GOOD_CSV))
def test_hostile_register_csv_files(pupil, school_a, data):
    _check(data, csv=True)


@FUZZ
@given(data=hostile_file(GOOD_CTF))
def test_hostile_register_ctfs(pupil, school_a, data):
    _check(data, csv=False)
