"""A roll with any bad row changes nothing, and every bad row and field is named."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cme.audit.models import AuditEvent
from cme.movements.models import RollImport
from cme.movements.services import RollRefused, roll_import_csv
from cme.movements.tests.conftest import AMELIA, OLIVER, roll_csv
from cme.people.models import Child
from cme.providers.models import Enrolment

BAD_ROWS = (
    AMELIA,
    "T901200119012,Mahmood,Oliver,,,,,2014-02-30,M,6,,,,,,C",  # impossible date
    "D901200119012,Okafor,Chidi,,,,,2014-06-01,M,6,,,,,,C",  # wrong check letter (should be T)
    "G901200119013,Begum,Aisha,,,,,2014-07-01,X,6,,,,,,C",  # unknown sex
    "R901200120031,,Zofia,,,,,2015-01-30,F,5,,,,,,C",  # missing surname
)


def test_every_bad_row_and_field_is_named_and_nothing_changes(officer_a, school_a):
    roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 9, 10), data=roll_csv(AMELIA, OLIVER))
    before = (Child.objects.count(), Enrolment.objects.filter(leaving_date__isnull=True).count(),
              AuditEvent.objects.filter(object_type="roll").count())
    with pytest.raises(RollRefused) as refused:
        roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 10, 1), data=roll_csv(*BAD_ROWS))
    named = [(p.row, p.field) for p in refused.value.problems]
    assert named == [(3, "date_of_birth"), (4, "upn"), (5, "sex"), (6, "legal_surname")]
    assert "should be T, not D" in str(refused.value.problems[1])
    after = (Child.objects.count(), Enrolment.objects.filter(leaving_date__isnull=True).count(),
             AuditEvent.objects.filter(object_type="roll").count())
    assert after == before
    assert RollImport.objects.count() == 1


def test_the_same_upn_twice_is_named(officer_a, school_a):
    with pytest.raises(RollRefused) as refused:
        roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 9, 10), data=roll_csv(AMELIA, AMELIA))
    assert [str(p) for p in refused.value.problems] == [
        "Row 3 (UPN D901200119011), upn: The same UPN is on row 2"]


def test_a_file_without_the_required_columns_is_refused(officer_a, school_a):
    with pytest.raises(RollRefused, match="no column legal_surname"):
        roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 9, 10),
                        data=b"upn,surname,forename\nD901200119011,Thornton,Amelia\n")


def test_import_roll_command_lists_every_problem(school_a, tmp_path):
    path = tmp_path / "roll.csv"
    path.write_bytes(roll_csv(*BAD_ROWS))
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 4 problem"):
        call_command("import-roll", str(path), "--provider", "9012001", "--as-of", "2025-10-01",
                     stdout=StringIO(), stderr=err)
    assert "Row 6 (UPN R901200120031), legal_surname: Enter the pupil’s legal surname" in err.getvalue()
    assert not Enrolment.objects.exists()


def test_import_roll_command_reports_joiners_and_leavers(school_a, tmp_path):
    path = tmp_path / "roll.csv"
    path.write_bytes(roll_csv(AMELIA, OLIVER))
    out = StringIO()
    call_command("import-roll", str(path), "--provider", "901/2001", "--as-of", "2025-10-01",
                 stdout=out, stderr=StringIO())
    assert "2 pupils; 2 joined, 0 left" in out.getvalue()
