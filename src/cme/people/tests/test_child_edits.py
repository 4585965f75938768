"""Editing a child's record through the pages: every edit goes through its service, bad input
is explained naming the field and changes nothing, and only the authority's staff may edit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cme.audit.models import AuditEvent
from cme.people.models import Address, CarerContact, ChildName, FormerUPN, VulnerabilityFlag
from cme.testing import factories as f


def _details(child, **changes):
    data = {
        "legal_forename": child.legal_forename,
        "legal_middle_names": child.legal_middle_names,
        "legal_surname": child.legal_surname,
        "date_of_birth-day": child.date_of_birth.day,
        "date_of_birth-month": child.date_of_birth.month,
        "date_of_birth-year": child.date_of_birth.year,
        "sex": child.sex,
        "upn": child.upn,
        "uln": child.uln,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_change_a_childs_details(persona, client_for, child_a):
    client = client_for(persona)
    form = client.get(f"/children/{child_a.pk}/details")
    assert form.status_code == 200 and 'value="Hartley"' in form.text
    upn = f.make_upn("901")
    response = client.post(f"/children/{child_a.pk}/details", _details(child_a, legal_surname="Hartley-Ward", upn=upn))
    assert response.status_code == 302
    child_a.refresh_from_db()
    assert child_a.legal_surname == "Hartley-Ward" and child_a.upn == upn
    assert AuditEvent.objects.filter(action="change", object_type="child", actor=persona).exists()


def test_a_replaced_upn_is_kept_as_a_former_upn(officer_a, client_for, child_a):
    first, second = f.make_upn("901"), f.make_upn("901")
    child_a.upn = first
    child_a.save()
    client_for(officer_a).post(f"/children/{child_a.pk}/details", _details(child_a, upn=second))
    assert FormerUPN.objects.filter(child=child_a, upn=first).exists()


def test_date_of_birth_in_the_future_is_refused(officer_a, client_for, child_a):
    future = timezone.localdate() + timedelta(days=30)
    response = client_for(officer_a).post(f"/children/{child_a.pk}/details", _details(
        child_a, **{"date_of_birth-day": future.day, "date_of_birth-month": future.month,
                    "date_of_birth-year": future.year}))
    assert response.status_code == 200
    assert "There is a problem" in response.text and "Date of birth must be in the past" in response.text
    assert 'href="#date_of_birth-day"' in response.text
    before = child_a.date_of_birth
    child_a.refresh_from_db()
    assert child_a.date_of_birth == before


def test_upn_with_a_wrong_check_letter_is_refused(officer_a, client_for, child_a):
    good = f.make_upn("901")
    wrong = ("B" if good[0] != "B" else "C") + good[1:]
    response = client_for(officer_a).post(f"/children/{child_a.pk}/details", _details(child_a, upn=wrong))
    assert "check letter is wrong" in response.text
    child_a.refresh_from_db()
    assert child_a.upn == ""


def test_impossible_date_and_empty_name_are_refused_together(officer_a, client_for, child_a):
    response = client_for(officer_a).post(f"/children/{child_a.pk}/details", _details(
        child_a, legal_forename="", **{"date_of_birth-day": "30", "date_of_birth-month": "2"}))
    assert "Enter the child’s first name" in response.text
    assert "Date of birth must be a real date" in response.text
    child_a.refresh_from_db()
    assert child_a.legal_forename == "Ruby"


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_add_a_vulnerability(persona, client_for, child_a):
    response = client_for(persona).post(f"/children/{child_a.pk}/flags/new", {"flag": "young_carer", "detail": "Cares for mum"})
    assert response.status_code == 302
    assert VulnerabilityFlag.objects.get(child=child_a).flag == "young_carer"


def test_unknown_vulnerability_flag_is_refused(officer_a, client_for, child_a):
    response = client_for(officer_a).post(f"/children/{child_a.pk}/flags/new", {"flag": "pirate"})
    assert response.status_code == 200 and "Unknown vulnerability flag" in response.text
    assert not VulnerabilityFlag.objects.exists()


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_add_an_address_which_becomes_current(persona, client_for, child_a):
    Address.objects.create(child=child_a, line1="1 Old Road")
    response = client_for(persona).post(f"/children/{child_a.pk}/addresses/new", {
        "line1": "2 New Street", "postcode": "nm1 1aa",
        "lived_from-day": "1", "lived_from-month": "3", "lived_from-year": "2026"})
    assert response.status_code == 302
    new = Address.objects.get(child=child_a, line1="2 New Street")
    assert new.is_current and new.postcode == "NM1 1AA"
    assert not Address.objects.get(line1="1 Old Road").is_current


def test_address_without_a_first_line_is_refused(officer_a, client_for, child_a):
    response = client_for(officer_a).post(f"/children/{child_a.pk}/addresses/new", {"postcode": "NM1 1AA"})
    assert "Enter the first line of the address" in response.text
    assert not Address.objects.exists()


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_add_a_carer_with_parental_responsibility(persona, client_for, child_a):
    response = client_for(persona).post(f"/children/{child_a.pk}/contacts/new", {
        "name": "Jo Hartley", "relationship": "Mother", "parental_responsibility": "on", "phone": "07700 900123"})
    assert response.status_code == 302
    contact = CarerContact.objects.get(child=child_a)
    assert contact.parental_responsibility and contact.relationship == "Mother"


def test_contact_with_a_malformed_email_is_refused(officer_a, client_for, child_a):
    response = client_for(officer_a).post(f"/children/{child_a.pk}/contacts/new", {"name": "Jo", "email": "jo@"})
    assert "Enter an email address in the correct format" in response.text
    assert not CarerContact.objects.exists()


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_add_a_former_name_with_dates(persona, client_for, child_a):
    response = client_for(persona).post(f"/children/{child_a.pk}/names/new", {
        "kind": "former", "forename": "Ruby", "surname": "Smith",
        "used_from-day": "1", "used_from-month": "1", "used_from-year": "2015",
        "used_to-day": "30", "used_to-month": "6", "used_to-year": "2019"})
    assert response.status_code == 302
    name = ChildName.objects.get(child=child_a)
    assert name.kind == "former" and name.used_to.year == 2019


def test_name_ending_before_it_started_is_refused(officer_a, client_for, child_a):
    response = client_for(officer_a).post(f"/children/{child_a.pk}/names/new", {
        "kind": "former", "forename": "Ruby",
        "used_from-day": "1", "used_from-month": "1", "used_from-year": "2019",
        "used_to-day": "1", "used_to-month": "1", "used_to-year": "2015"})
    assert "The end date must be after the start date" in response.text
    assert not ChildName.objects.exists()


EDIT_PAGES = ["details", "flags/new", "addresses/new", "contacts/new", "names/new"]


@pytest.mark.parametrize("path", EDIT_PAGES)
def test_officer_of_la_b_gets_404_on_every_edit(path, officer_b, client_for, child_a):
    client = client_for(officer_b)
    assert client.get(f"/children/{child_a.pk}/{path}").status_code == 404
    response = client.post(f"/children/{child_a.pk}/{path}", {
        "legal_forename": "X", "legal_surname": "Y", "flag": "young_carer", "line1": "X", "name": "X",
        "kind": "former", "forename": "X"})
    assert response.status_code == 404
    child_a.refresh_from_db()
    assert child_a.legal_forename == "Ruby"
    assert not (VulnerabilityFlag.objects.exists() or Address.objects.exists()
                or CarerContact.objects.exists() or ChildName.objects.exists())


@pytest.mark.parametrize("path", EDIT_PAGES)
def test_school_user_cannot_edit_its_pupil(path, school_user_a, school_a, client_for, child_a):
    f.enrol(child_a, school_a)
    response = client_for(school_user_a).post(f"/children/{child_a.pk}/{path}", {"flag": "young_carer", "line1": "X", "name": "X"})
    assert response.status_code == 403
    assert not (VulnerabilityFlag.objects.exists() or Address.objects.exists() or CarerContact.objects.exists())
