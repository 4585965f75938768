"""Fuzzing the roll importers with hostile files (hypothesis): no crash; either an honest success
(as many pupils as the file has rows) or a refusal naming row and field; nothing changed on a
refusal."""

from datetime import date

from hypothesis import given

from cme.audit.models import AuditEvent
from cme.movements.ctf import CtfError, parse_ctf
from cme.movements.models import RollImport
from cme.movements.services import RollRefused, ctf_problems, roll_import_csv, roll_import_ctf
from cme.movements.tests.conftest import AMELIA, DATA, OLIVER, ZOFIA, roll_csv
from cme.people.models import Child
from cme.providers.models import Enrolment
from cme.testing.hostile import FUZZ, data_rows, hostile_file, names_row_and_field

GOOD_CSV = roll_csv(AMELIA, OLIVER, ZOFIA)
GOOD_CTF = (DATA / "ctf25_school_to_la.xml").read_bytes()
AS_OF = date(2025, 10, 1)


def _state():
    return (Child.objects.count(), Enrolment.objects.count(),
            Enrolment.objects.filter(leaving_date__isnull=True).count(), RollImport.objects.count(),
            AuditEvent.objects.filter(object_type="roll").count())


@FUZZ
@given(data=hostile_file(GOOD_CSV))
def test_hostile_roll_csv_files(officer_a, school_a, data):
    before = _state()
    try:
        record = roll_import_csv(actor=officer_a, provider=school_a, as_of=AS_OF, data=data, file_name="f.csv")
    except RollRefused as refused:
        assert refused.problems
        for problem in refused.problems:
            assert problem.row > 0 and problem.field, str(problem)
            assert names_row_and_field(str(problem)), str(problem)
        assert _state() == before
    else:
        assert record.pupils == data_rows(data), "a success must take every row of the file"


@FUZZ
@given(data=hostile_file(GOOD_CTF))
def test_hostile_ctf_rolls(officer_a, school_a, data):
    before = _state()
    try:
        ctf = parse_ctf(data)
    except CtfError as error:
        problems = ctf_problems(error)
        assert problems
        for problem in problems:
            # A pupil and its element; or, for the file as a whole (not well-formed XML, a DTD,
            # an unknown encoding, the header), the element or "file".
            assert problem.field, str(problem)
            assert str(problem).startswith(f"Pupil {problem.row}" if problem.row else problem.field), str(problem)
        return
    try:
        record = roll_import_ctf(actor=officer_a, provider=school_a, ctf=ctf, as_of=AS_OF, file_name="f.xml")
    except RollRefused as refused:
        for problem in refused.problems:
            assert problem.field and (problem.row or problem.label == "File"), str(problem)
        assert _state() == before
    else:
        assert record.pupils == len(ctf.pupils)
