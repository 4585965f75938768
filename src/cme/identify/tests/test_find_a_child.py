"""The "Find a child" page: LA staff search their own authority's rolls, home-education list and
register; the officer of another authority finds nothing of A; schools and partners may not."""

import pytest
from django.urls import reverse

from cme.audit.models import AuditEvent
from cme.matching.tests.rolls import make_rolls

SEARCH = {"forename": "Bill", "surname": "Hartly", "date_of_birth-day": "12", "date_of_birth-month": "3",
          "date_of_birth-year": "2014", "postcode": "nm1 2ab"}


@pytest.fixture
def rolls(la_a, school_a):
    return make_rolls(la_a, school_a)


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_find_the_pupil_with_a_misspelt_search(persona, client_for, rolls, school_a):
    page = client_for(persona).get(reverse("identify:search"), SEARCH).content.decode()
    assert "William Hartley" in page
    assert f"On roll at {school_a.name}" in page
    assert "How this match was scored" in page and "day and month swapped" in page
    event = AuditEvent.objects.filter(actor=persona, action="search", object_type="child").latest("id")
    assert event.detail["matching"]["surname"] == "Hartly"
    assert event.detail["ids"][0] == rolls["william"].pk


def test_officer_of_la_b_finds_nothing_of_la_a(client_for, officer_b, rolls):
    page = client_for(officer_b).get(reverse("identify:search"), SEARCH).content.decode()
    assert "William Hartley" not in page
    assert "No child on any roll, the home-education list or the register matches" in page


def test_the_empty_page_asks_for_something_to_search_for(client_for, officer_a):
    client = client_for(officer_a)
    assert "Find a child" in client.get(reverse("identify:search")).content.decode()
    page = client.get(reverse("identify:search"), {"postcode": "NM1 2AB"}).content.decode()
    assert "Enter a name, a date of birth or a UPN to search for" in page
    page = client.get(reverse("identify:search"), {"surname": "Hartley", "upn": "X123"}).content.decode()
    assert "A UPN must be 13 characters long" in page


@pytest.mark.parametrize("user", ["school_user_a", "partner_a"])
def test_schools_and_partners_cannot_search_the_rolls(user, request, client_for, rolls):
    response = client_for(request.getfixturevalue(user)).get(reverse("identify:search"), SEARCH)
    assert response.status_code == 403
    assert "William Hartley" not in response.content.decode()
