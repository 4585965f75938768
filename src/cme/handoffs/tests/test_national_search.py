"""An authority's part in the national search (issue 16): its lost pupils go to the consortium
with the minimum the search needs, and the pupils found come back as likely matches for its
officers to confirm, never taken on their own, and seen by no other authority."""

import csv
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cme.audit.models import AuditEvent
from cme.handoffs.models import LostPupil, LostPupilMatch
from cme.handoffs.services import NATIONAL
from cme.matching.batch import FOUND_COLUMNS, OUTPUT_COLUMNS
from cme.movements.signals import leaver_recorded
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


def _lose(child, school):
    leaver_recorded.send(sender=None, la_id=child.la_id, provider_id=school.pk, child_id=child.pk,
                         leaving_date=date(2026, 11, 20), ground="", destination="", source="roll", record=None)
    return LostPupil.objects.get(child=child)


@pytest.fixture
def lost(la_a, school_a, la_b, school_b):
    ruby = _lose(f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley", sex="F",
                              date_of_birth=date(2014, 5, 6), upn="A901200124001"), school_a)
    other = _lose(f.make_child(la_b, legal_forename="Eve", legal_surname="Moss", date_of_birth=date(2013, 1, 2)),
                  school_b)
    return ruby, other


def _results(tmp_path, rows):
    path = tmp_path / "found.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(OUTPUT_COLUMNS + FOUND_COLUMNS)
        for row in rows:
            writer.writerow(row)
    return path


def _found(referral_id, probability="0.970000", dob="2014-05-06", laestab="8812001"):
    return [referral_id, "L042-P0123456", probability, "", "Ruby", "", "Hartley", "", dob, "F", "ZZ1 1ZZ",
            "4 New Road, Elsewhere", laestab, "2026-11-30"]


def test_export_holds_this_authoritys_lost_pupils_only_with_the_minimum_and_its_lawful_basis(lost, la_a, tmp_path):
    ruby, _ = lost
    call_command("national-search", "export", "--la", "901", "--out", str(tmp_path / "lost.csv"))
    with open(tmp_path / "lost.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == [f"lost-{ruby.pk}"]
    assert rows[0]["forename"] == "Ruby" and rows[0]["dob"] == "2014-05-06" and rows[0]["laestab"] == "9012001"
    assert rows[0]["la"] == "901" and rows[0]["leaving_date"] == "2026-11-20"
    assert set(rows[0]) == {"id", "upn", "forename", "middle_names", "surname", "former_surname", "dob", "sex",
                            "postcode", "address", "la", "laestab", "leaving_date"}
    event = AuditEvent.objects.filter(object_type="lost_pupils").get()
    assert event.la_id == la_a.pk and "Education Act 1996 s436A" in event.detail["lawful_basis"]


def test_pupil_found_elsewhere_is_put_to_this_authoritys_officers_and_no_other(
        lost, tmp_path, client_for, officer_a, manager_a, officer_b):
    ruby, _ = lost
    call_command("national-search", "import", "--la", "901", "--results",
                 str(_results(tmp_path, [_found(f"lost-{ruby.pk}")])))
    [match] = LostPupilMatch.objects.all()
    assert match.lost == ruby and match.trigger == NATIONAL and match.status == LostPupilMatch.Status.OPEN
    assert match.person["laestab"] == "8812001" and match.entry_date == date(2026, 11, 30)
    ruby.refresh_from_db()
    assert ruby.status == LostPupil.Status.LOST  # an officer confirms; the search never decides

    for user in (officer_a, manager_a):
        page = client_for(user).get(reverse("handoffs:lost")).content.decode()
        assert "on roll at the school with LAESTAB 8812001" in page and "national search" in page
    assert "8812001" not in client_for(officer_b).get(reverse("handoffs:lost")).content.decode()

    # The same results sent again ask nothing twice.
    call_command("national-search", "import", "--la", "901", "--results",
                 str(_results(tmp_path, [_found(f"lost-{ruby.pk}")])))
    assert LostPupilMatch.objects.count() == 1


def test_result_about_another_authoritys_pupil_stops_the_import_and_changes_nothing(lost, tmp_path):
    ruby, other = lost
    path = _results(tmp_path, [_found(f"lost-{ruby.pk}"), _found(f"lost-{other.pk}")])
    with pytest.raises(CommandError, match=rf"Result 2 \(referral_id lost-{other.pk}\): no lost pupil of Northmoor"):
        call_command("national-search", "import", "--la", "901", "--results", str(path))
    assert not LostPupilMatch.objects.exists()


@pytest.mark.parametrize(("row", "message"), [
    ({"dob": "2014-02-30"}, r"found.csv row 2, field dob: '2014-02-30' is not a date"),
    ({"probability": "1.7"}, r"found.csv row 2, field probability: '1.7' is not a number from 0 to 1"),
    ({"laestab": "88-2001"}, r"found.csv row 2, field laestab: '88-2001' is not a 7-digit LAESTAB"),
])
def test_bad_result_row_is_named_by_row_and_field_and_nothing_is_imported(lost, tmp_path, row, message):
    ruby, _ = lost
    path = _results(tmp_path, [_found(f"lost-{ruby.pk}", **row)])
    with pytest.raises(CommandError, match=message):
        call_command("national-search", "import", "--la", "901", "--results", str(path))
    assert not LostPupilMatch.objects.exists()


def test_doubtful_result_below_the_threshold_is_not_put_to_officers(lost, tmp_path):
    ruby, _ = lost
    call_command("national-search", "import", "--la", "901", "--threshold", "0.9", "--results",
                 str(_results(tmp_path, [_found(f"lost-{ruby.pk}", probability="0.400000")])))
    assert not LostPupilMatch.objects.exists()
