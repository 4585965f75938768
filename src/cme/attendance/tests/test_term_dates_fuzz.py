"""Fuzzing the term-dates importer with hostile files (hypothesis): no crash; an honest success
(one period a row) or a refusal naming row and field; the term dates held unchanged on refusal."""

import pytest
from hypothesis import given

from cme.attendance.models import CalendarPeriod
from cme.attendance.services import ImportRejected, term_dates_import
from cme.attendance.tests.db_builders import TERM_DATES_901
from cme.testing.hostile import FUZZ, data_rows, hostile_file, names_row_and_field

pytestmark = pytest.mark.django_db

GOOD = TERM_DATES_901.encode()


def _held():
    return sorted(CalendarPeriod.objects.values_list("provider_id", "kind", "start", "end", "name"))


@FUZZ
@given(data=hostile_file(GOOD))
def test_hostile_term_date_files(la_a, school_a, data):
    before = _held()
    try:
        report = term_dates_import(actor=None, la_id=la_a.pk, data=data, filename="f.csv")
    except ImportRejected as rejected:
        assert rejected.errors
        for error in rejected.errors:
            # Every row is named; the calendar as a whole may be refused too (no terms of the LA).
            assert names_row_and_field(error) or error.startswith(("row ", "the calendar")), error
        assert _held() == before
    else:
        assert report.rows == data_rows(data), "a success must take every row of the file"
