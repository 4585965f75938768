"""The roll upload page: a school uploads its own roll; LA staff any of their authority's providers."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.movements.models import RollImport
from cme.movements.tests.conftest import AMELIA, OLIVER, roll_csv
from cme.providers.models import Enrolment
from cme.testing import factories as f


def post_roll(client, provider, data: bytes, name="roll.csv", as_of=date(2025, 10, 1)):
    fields = {"roll_file": SimpleUploadedFile(name, data)}
    if as_of:
        fields.update({"as_of-day": as_of.day, "as_of-month": as_of.month, "as_of-year": as_of.year})
    return client.post(f"/providers/{provider.pk}/roll/upload", fields)


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_la_staff_upload_a_roll_and_see_the_report(client_for, persona, school_a):
    client = client_for(persona)
    assert client.get(f"/providers/{school_a.pk}/roll/upload").status_code == 200
    response = post_roll(client, school_a, roll_csv(AMELIA, OLIVER))
    record = RollImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/roll-imports/{record.pk}"
    report = client.get(response["Location"]).content.decode()
    assert "Roll import report" in report and "Amelia Thornton" in report and "Oliver Mahmood" in report
    roll = client.get(f"/providers/{school_a.pk}/roll").content.decode()
    assert "On roll now (2)" in roll and "Amelia Thornton" in roll


@pytest.mark.parametrize("persona", ["officer_b"], indirect=True)
def test_officer_of_another_la_can_neither_upload_nor_see(client_for, persona, school_a, officer_a):
    from cme.movements.services import roll_import_csv

    record = roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 9, 1), data=roll_csv(AMELIA))
    client = client_for(persona)
    assert client.get(f"/providers/{school_a.pk}/roll/upload").status_code == 404
    assert post_roll(client, school_a, roll_csv(OLIVER)).status_code == 404
    assert client.get(f"/providers/{school_a.pk}/roll").status_code == 404
    assert client.get(f"/roll-imports/{record.pk}").status_code == 404
    assert RollImport.objects.count() == 1


def test_school_user_uploads_only_their_own_roll(client_for, school_user_a, school_a, la_a):
    other = f.make_school(la_a, "Moorend Primary School", estab="2002")
    client = client_for(school_user_a)
    response = post_roll(client, school_a, roll_csv(AMELIA))
    assert response.status_code == 302
    assert "Amelia Thornton" in client.get(response["Location"]).content.decode()
    assert client.get(f"/providers/{other.pk}/roll/upload").status_code == 404
    assert post_roll(client, other, roll_csv(OLIVER)).status_code == 404
    assert not Enrolment.objects.filter(provider=other).exists()


def test_partner_cannot_upload(client_for, partner_a, school_a):
    assert post_roll(client_for(partner_a), school_a, roll_csv(AMELIA)).status_code == 404
    assert not RollImport.objects.exists()


def test_bad_rows_are_all_listed_and_nothing_changes(client_for, officer_a, school_a):
    bad = roll_csv(AMELIA, "T901200119012,Mahmood,Oliver,,,,,2014-02-30,M,6,,,,,,C",
                   "D901200119012,,Chidi,,,,,2014-06-01,Q,6,,,,,,C")
    page = post_roll(client_for(officer_a), school_a, bad)
    text = page.content.decode()
    assert page.status_code == 200 and "There is a problem" in text
    assert "the file has 4 problems" in text
    for expected in ("Row 3 (UPN T901200119012), date_of_birth", "Row 4 (UPN D901200119012), upn",
                     "Row 4 (UPN D901200119012), legal_surname", "Row 4 (UPN D901200119012), sex"):
        assert expected in text
    assert not RollImport.objects.exists() and not Enrolment.objects.exists()


def test_csv_needs_a_date_and_a_ctf_takes_the_files(client_for, officer_a, school_a, ctf25):
    client = client_for(officer_a)
    page = post_roll(client, school_a, roll_csv(AMELIA), as_of=None)
    assert "Enter the date of the roll" in page.content.decode()
    response = post_roll(client, school_a, ctf25, name="9012001_CTF_901LLLL_001.xml", as_of=None)
    assert response.status_code == 302
    assert RollImport.objects.get().as_of == date(2025, 10, 1)


def test_hostile_ctf_is_refused_on_the_page(client_for, officer_a, school_a):
    from cme.movements.tests.conftest import DATA

    page = post_roll(client_for(officer_a), school_a, (DATA / "xxe.xml").read_bytes(), name="x.xml")
    assert "refused for safety" in page.content.decode()
    assert not RollImport.objects.exists()
