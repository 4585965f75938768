"""A night's roll imports bring hundreds of joiners: each is matched against the authority's
unreconciled leavers, open cases, home-education list and lost pupils, which are read and indexed
once for all of them (and kept while unchanged), never once a joiner."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cme.handoffs.models import LostPupilMatch
from cme.people.models import Address
from cme.people.selectors import latest_address
from cme.testing import factories as f
from cme.tracking.models import Leaver, NewEntry

pytestmark = pytest.mark.django_db

HEADER = "upn,legal_surname,legal_forename,date_of_birth,sex,entry_date\n"


ADA = f.make_upn("901")


def _roll(rows):
    """The school's roll: Ada, there since 2022, and these joiners of January 2025."""
    return (HEADER + f"{ADA},Lane,Ada,2015-04-04,F,2022-09-05\n"
            + "".join(f"{f.make_upn('901')},{surname},{forename},{dob},F,2025-01-06\n"
                      for surname, forename, dob in rows)).encode()


def _import(school, data, as_of, capture):
    from cme.movements.services import roll_import_csv

    with capture(execute=True):
        return roll_import_csv(actor=None, provider=school, data=data, as_of=as_of)


@pytest.fixture
def lost_and_leaving(la_a, school_a):
    """A child with an open CME case, and a leaver still to be found, among many open cases."""
    from cme.tracking.services import deletion_return_record, leavers_reconcile

    for n in range(30):
        f.make_case(f.make_child(la_a, legal_forename=f"Other{n}", legal_surname=f"Family{n}"))
    missing = f.make_child(la_a, legal_forename="Maryam", legal_surname="Hussain", date_of_birth=dt.date(2014, 3, 9))
    f.make_case(missing)
    leaver = f.make_child(la_a, legal_forename="Ella", legal_surname="Burton", date_of_birth=dt.date(2013, 5, 2),
                          upn=f.make_upn("901"))
    f.enrol(leaver, school_a, upn=leaver.upn)
    deletion_return_record(actor=None, provider=school_a, child=leaver, deleted_on=dt.date(2025, 1, 10),
                           ground="g", source="api")
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 1, 20))
    assert Leaver.objects.filter(child=leaver, status="unreconciled").exists()
    return missing, leaver


def test_a_rolls_joiners_are_matched_from_one_read_of_the_leavers_and_cases(
        la_a, lost_and_leaving, django_capture_on_commit_callbacks):
    missing, _leaver = lost_and_leaving
    school = f.make_school(la_a, "Northmoor High", estab="4002")
    _import(school, _roll([]), dt.date(2024, 9, 10), django_capture_on_commit_callbacks)
    joiners = [(f"Stranger{n}", f"New{n}", "2012-01-01") for n in range(20)] + [("Hussain", "Maryam", "2014-03-09")]
    with CaptureQueriesContext(connection) as queries:
        _import(school, _roll(joiners), dt.date(2025, 1, 24), django_capture_on_commit_callbacks)
    entries = {e.person["surname"]: e for e in NewEntry.objects.all()}
    assert len(entries) == 21
    assert entries["Hussain"].match_state == NewEntry.MatchState.TO_CONFIRM
    assert entries["Hussain"].matched_case.child == missing
    assert entries["Stranger0"].match_state == NewEntry.MatchState.NONE
    # The leavers and the open cases are read for the roll (what changed, then the pool), not
    # once for each of its 21 joiners.
    for table in ('"tracking_leaver"', '"cases_case"'):
        reads = [q for q in queries.captured_queries if q["sql"].startswith("SELECT") and f"FROM {table}" in q["sql"]]
        assert len(reads) <= 4, (table, len(reads))


def test_the_pool_is_read_afresh_once_a_leaver_or_case_changes(la_a, lost_and_leaving):
    from cme.tracking.services import match_pool

    missing, leaver = lost_and_leaving
    first = match_pool(la_id=la_a.pk)
    assert match_pool(la_id=la_a.pk) is first  # nothing changed: the same pool
    Leaver.objects.filter(child=leaver).update(status="on_roll")
    second = match_pool(la_id=la_a.pk)
    assert second is not first and not any(k == "leaver" for k, _ in second.targets.values())
    Address.objects.create(child=missing, line1="1 New Road", postcode="ZZ1 1ZZ", lived_from=dt.date(2025, 1, 1))
    third = match_pool(la_id=la_a.pk)
    assert third is not second
    [person] = [p for p in third.reconciler._people if p.surname == "Hussain"]
    assert person.postcode == "ZZ1 1ZZ"


def test_a_rolls_joiners_are_matched_against_the_lost_pupils_read_once(la_a, school_a):
    from cme.handoffs.services import lost_pupil_record
    from cme.movements.models import RollImport
    from cme.movements.signals import new_entry_recorded

    for n, (forename, surname) in enumerate([("Kacper", "Nowak"), ("Ruby", "Hartley"), ("Tom", "Quill")]):
        child = f.make_child(la_a, legal_forename=forename, legal_surname=surname, date_of_birth=dt.date(2013, 8, 1 + n))
        lost_pupil_record(la_id=la_a.pk, child_id=child.pk, provider_id=school_a.pk,
                          leaving_date=dt.date(2024, 12, 20), source="api")
    school = f.make_school(la_a, "Northmoor High", estab="4002")
    joiners = [("Kacper", "Nowak", "2013-08-01")] + [(f"New{n}", f"Stranger{n}", "2012-01-01") for n in range(9)]

    def send(forename, surname, dob, **kwargs):
        new_entry_recorded.send(sender=RollImport, la_id=la_a.pk, provider_id=school.pk, child_id=None, person={
            "upn": "", "forename": forename, "middle_names": "", "surname": surname, "former_surname": "",
            "dob": dob, "sex": "M", "postcode": "", "address": ""}, entry_date=dt.date(2025, 1, 6), source="roll",
            record=None, **kwargs)

    with CaptureQueriesContext(connection) as queries:
        for joiner in joiners:
            send(*joiner, joiners=len(joiners), batch=77)
    [match] = LostPupilMatch.objects.all()
    assert match.lost.child.legal_surname == "Nowak" and match.trigger == "roll"
    reads = [q for q in queries.captured_queries
             if q["sql"].startswith("SELECT") and 'FROM "handoffs_lostpupil"' in q["sql"]]
    assert len(reads) <= 2, len(reads)  # what changed, then the pool: once for the roll's ten joiners
    # The new entry a roll's joiner became comes again without its roll: it was matched already.
    send("Kacper", "Nowak", "2013-08-01")
    assert LostPupilMatch.objects.count() == 1


def test_the_latest_address_is_the_same_prefetched_or_asked(la_a):
    from cme.people.models import Child

    child = f.make_child(la_a)
    Address.objects.filter(child=child).delete()
    Address.objects.create(child=child, line1="Undated", postcode="AA1 1AA")
    Address.objects.create(child=child, line1="Old", postcode="AA1 1AB", lived_from=dt.date(2020, 1, 1))
    Address.objects.create(child=child, line1="New", postcode="AA1 1AC", lived_from=dt.date(2024, 1, 1))
    Address.objects.create(child=child, line1="Refuge", postcode="AA1 1AD", lived_from=dt.date(2025, 1, 1),
                           is_refuge=True)
    asked = Child.objects.get(pk=child.pk)
    fetched = Child.objects.prefetch_related("addresses").get(pk=child.pk)
    assert latest_address(asked).line1 == latest_address(fetched).line1 == "Refuge"
    assert latest_address(asked, refuges=False).line1 == latest_address(fetched, refuges=False).line1 == "New"
