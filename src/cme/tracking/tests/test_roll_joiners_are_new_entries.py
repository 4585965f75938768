"""A joiner at a roll import is a new entry (issue 11, point 2): matched against the LA's
unreconciled leavers like a returned one, for the officer to confirm; the roll's first import is no
one's admission, and a roll that is refused records nothing."""

import datetime as dt

import pytest

from cme.movements.services import roll_import_csv
from cme.movements.tests.conftest import HEADINGS
from cme.testing import factories as f
from cme.tracking.models import NewEntry

pytestmark = pytest.mark.django_db


def _roll(*rows: str) -> bytes:
    return ("\n".join((HEADINGS, *rows)) + "\n").encode()


@pytest.fixture
def leaver(la_a, school_a):
    from cme.tracking.services import deletion_return_record

    child = f.make_child(la_a, legal_forename="Ella", legal_surname="Burton", upn=f.make_upn("901"),
                         date_of_birth=dt.date(2015, 6, 2))
    f.enrol(child, school_a, upn=child.upn)
    deletion_return_record(actor=None, provider=school_a, child=child, deleted_on=dt.date(2025, 1, 10),
                           ground="g", source="api")
    return child


def test_a_roll_joiner_spelt_differently_is_put_to_the_officer_as_the_leaver(
        leaver, la_a, officer_a, django_capture_on_commit_callbacks):
    high = f.make_school(la_a, "Northmoor High", estab="4002")
    other = ",Patel,Ravi,,,,,2014-02-11,M,5,2023-09-06,1 High Street,Northmoor,,NM9 9ZZ,C"
    with django_capture_on_commit_callbacks(execute=True):
        roll_import_csv(actor=officer_a, provider=high, as_of=dt.date(2025, 1, 6), data=_roll(other))
    assert not NewEntry.objects.exists()  # the first roll: no one was admitted, the roll became known
    ella = ",Burton,Ela,,,,,2015-06-02,F,5,2025-01-20,,,,,C"
    with django_capture_on_commit_callbacks(execute=True):
        roll_import_csv(actor=officer_a, provider=high, as_of=dt.date(2025, 1, 21), data=_roll(other, ella))
    entry = NewEntry.objects.get()
    assert (entry.source, entry.provider, entry.entry_date) == ("roll", high, dt.date(2025, 1, 20))
    assert entry.person["forename"] == "Ela" and entry.enrolment.provider == high
    assert entry.match_state == NewEntry.MatchState.TO_CONFIRM
    assert entry.matched_leaver.child == leaver


def test_a_sibling_joining_by_roll_is_not_taken_for_the_leaver(leaver, la_a, officer_a,
                                                               django_capture_on_commit_callbacks):
    high = f.make_school(la_a, "Northmoor High", estab="4002")
    other = ",Patel,Ravi,,,,,2014-02-11,M,5,2023-09-06,1 High Street,Northmoor,,NM9 9ZZ,C"
    with django_capture_on_commit_callbacks(execute=True):
        roll_import_csv(actor=officer_a, provider=high, as_of=dt.date(2025, 1, 6), data=_roll(other))
        roll_import_csv(actor=officer_a, provider=high, as_of=dt.date(2025, 1, 21),
                        data=_roll(other, ",Burton,Jack,,,,,2017-09-21,M,3,2025-01-20,,,,,C"))
    entry = NewEntry.objects.get()
    assert entry.source == "roll" and entry.match_state == NewEntry.MatchState.NONE
