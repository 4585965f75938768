"""Fuzzing the deletion-returns CSV importer with hostile files (hypothesis; issue 15 point 3):
no crash; either an honest success (one return per row) or a refusal naming row and field; nothing
changed on a refusal."""

import datetime as dt

import pytest
from hypothesis import given

from cme.providers.models import Enrolment
from cme.testing import factories as f
from cme.testing.hostile import FUZZ, data_rows, hostile_file, names_row_and_field
from cme.tracking.models import DeletionReturn, Leaver
from cme.tracking.services import ReturnsRefused, deletion_returns_import

HEADER = b"laestab,upn,deleted_on,ground,destination,destination_detail,notice_received,other_registration,exclusion_on\n"
UPNS = ("A901200124001", "B901200124002")


@pytest.fixture
def pupils(la_a, school_a):
    for n, upn in enumerate(UPNS):
        child = f.make_child(la_a, legal_forename=f"Pupil{n}", legal_surname="Burton", upn=upn)
        f.enrol(child, school_a, entry=dt.date(2022, 9, 5), upn=upn)
    return school_a


def _good(laestab: str) -> bytes:
    return HEADER + (f"{laestab},{UPNS[0]},2025-01-10,g,,Moved to Leeds,,,\n"
                     f"{laestab},{UPNS[1]},2025-01-13,f,,,yes,,\n").encode()


def _state():
    return (DeletionReturn.objects.count(), Leaver.objects.count(),
            Enrolment.objects.filter(leaving_date__isnull=True).count())


@FUZZ
@given(data=hostile_file(_good("9011001")))
def test_hostile_deletion_return_files(pupils, data):
    data = data.replace(b"9011001", pupils.laestab.encode())
    before = _state()
    try:
        saved = deletion_returns_import(actor=None, data=data, providers=[pupils])
    except ReturnsRefused as refused:
        assert refused.messages
        for message in refused.messages:
            assert names_row_and_field(message), message
        assert _state() == before
    else:
        assert len(saved) == data_rows(data), "a success must take every row of the file"


def test_the_unmutated_file_is_taken(pupils):
    assert len(deletion_returns_import(actor=None, data=_good(pupils.laestab), providers=[pupils])) == 2


def test_a_nul_in_a_upn_is_refused_by_row_and_field_not_sent_to_the_database(pupils):
    # Found by the fuzz test above on PostgreSQL, which refuses NUL in a query's text.
    data = _good(pupils.laestab).replace(b"," + UPNS[1].encode(), b",\x00" + UPNS[1].encode())
    before = _state()
    with pytest.raises(ReturnsRefused) as refused:
        deletion_returns_import(actor=None, data=data, providers=[pupils])
    assert [m for m in refused.value.messages if "row 3, field upn" in m]
    assert _state() == before
