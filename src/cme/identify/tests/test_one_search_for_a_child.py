"""One search for a child (issue 8, point 6): matching scores the children when enough is given;
a search too thin to score lists the children who fit what was given, a page at a time; "no
child matches" is said only when none fits; each result says whether the child has an open case.
"Children" (the old search) leads to the same search."""

from datetime import date

import pytest
from django.urls import reverse

from cme.audit.models import AuditEvent, AuditEventChild
from cme.matching.tests.rolls import make_rolls
from cme.people.models import Address
from cme.testing import factories as f

FIND = reverse("identify:search")


@pytest.fixture
def akhtars(la_a):
    """30 children called Akhtar: more than a page of them."""
    return [f.make_child(la_a, legal_forename=name, legal_surname="Akhtar", date_of_birth=date(2010 + i % 8, 1 + i % 12, 1 + i))
            for i, name in enumerate(["Aisha", "Bilal", "Zara", "Omar", "Hamza", "Maryam"] * 5)]


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_surname_alone_lists_the_children_who_fit_instead_of_saying_no_match(persona, client_for, akhtars):
    page = client_for(persona).get(FIND, {"surname": "Akhtar"}).text
    assert "Too little to tell which child: 30 children fit" in page
    assert "does not mean the child is on no roll" in page
    assert "No child on any roll" not in page
    assert page.count('href="/children/') == 25
    second = client_for(persona).get(FIND, {"surname": "Akhtar", "page": 2}).text
    assert second.count('href="/children/') == 5
    assert "(page 2)" in second


def test_officer_of_another_authority_finds_none_of_them(client_for, officer_b, akhtars):
    page = client_for(officer_b).get(FIND, {"surname": "Akhtar"}).text
    assert "No child on any roll, the home-education list or the register matches" in page
    assert "Aisha" not in page


def test_no_match_is_said_only_when_nothing_fits(client_for, officer_a, akhtars):
    page = client_for(officer_a).get(FIND, {"surname": "Quartermaine"}).text
    assert "No child on any roll, the home-education list or the register matches" in page
    scored_nothing = client_for(officer_a).get(FIND, {"forename": "Aisha", "surname": "Akhtar",
                                                      "date_of_birth-day": "9", "date_of_birth-month": "9",
                                                      "date_of_birth-year": "2019"}).text
    assert "No child on any roll" not in scored_nothing


def test_each_result_says_whether_the_child_has_an_open_case(client_for, officer_a, akhtars):
    case = f.make_case(akhtars[0])
    page = client_for(officer_a).get(FIND, {"surname": "Akhtar"}).text
    assert case.reference in page and "No open case" in page
    scored = client_for(officer_a).get(FIND, {"forename": akhtars[0].legal_forename, "surname": "Akhtar",
                                              "date_of_birth-day": str(akhtars[0].date_of_birth.day),
                                              "date_of_birth-month": str(akhtars[0].date_of_birth.month),
                                              "date_of_birth-year": str(akhtars[0].date_of_birth.year)}).text
    assert "possible match" in scored and case.reference in scored


def test_the_old_children_search_leads_to_the_same_search(client_for, officer_a, akhtars, la_a, school_a):
    response = client_for(officer_a).get("/children", {"q": "Akhtar"})
    assert response.status_code == 302 and response["Location"] == f"{FIND}?q=Akhtar"
    assert "Too little to tell which child: 30 children fit" in client_for(officer_a).get(FIND, {"q": "Akhtar"}).text
    rolls = make_rolls(la_a, school_a)
    by_upn = client_for(officer_a).get(FIND, {"q": rolls["william"].upn}).text
    assert "William Hartley" in by_upn and "possible match" in by_upn
    by_name = client_for(officer_a).get(FIND, {"q": "William Hartley"}).text
    assert "William Hartley" in by_name


def test_school_is_sent_to_its_own_pupils_and_partner_may_not_search(client_for, school_user_a, partner_a, akhtars):
    response = client_for(school_user_a).get("/children", {"q": "Akhtar"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("people:pupils"))
    assert client_for(partner_a).get("/children", {"q": "Akhtar"}).status_code == 403


def test_search_is_audited_naming_the_children_shown(client_for, officer_a, akhtars):
    assert not AuditEvent.objects.filter(action="search").exists()
    client_for(officer_a).get(FIND)
    assert not AuditEvent.objects.filter(action="search").exists()  # nothing searched yet
    client_for(officer_a).get(FIND, {"surname": "Akhtar"})
    event = AuditEvent.objects.get(action="search", object_type="child")
    assert event.detail["scored"] is False and event.detail["fitting"] == 30
    assert AuditEventChild.objects.filter(event=event).count() == 25


def test_two_children_of_one_household_who_fit_are_called_out(client_for, officer_a, la_a):
    home = dict(line1="17 Orchard Way", town="Northmoor", postcode="NM9 4QR")
    for forename, dob in (("Ella", date(2012, 4, 3)), ("Jack", date(2015, 9, 21))):
        child = f.make_child(la_a, legal_forename=forename, legal_surname="Burton", date_of_birth=dob)
        Address.objects.create(child=child, **home)
    page = client_for(officer_a).get(FIND, {"forename": "Sofia", "surname": "Burton", "postcode": "NM9 4QR",
                                            "address": "17 Orchard Way"}).text
    assert "a brother or sister of this child may be the one referred" in page
    assert 'id="household-warning"' in page
