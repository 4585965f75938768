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


def test_a_surname_finds_children_by_their_legal_or_former_surname_and_none_of_another_authority(
        client_for, officer_a, manager_a, officer_b, la_a, la_b):
    from cme.people.models import ChildName, NameKind
    from cme.testing import factories as f

    legal = f.make_child(la_a, legal_forename="Rosa", legal_surname="Marsden")
    former = f.make_child(la_a, legal_forename="Ivy", legal_surname="Okafor")
    ChildName.objects.create(child=former, kind=NameKind.FORMER, forename="Ivy", surname="Marsh")
    f.make_child(la_a, legal_forename="Ada", legal_surname="Oram")
    elsewhere = f.make_child(la_b, legal_forename="Rosa", legal_surname="Marsden")
    ChildName.objects.create(child=elsewhere, kind=NameKind.FORMER, forename="Rosa", surname="Marshall")

    for staff in (officer_a, manager_a):
        page = client_for(staff).get(reverse("identify:search"), {"surname": "mars"}).content.decode()
        assert f'href="/children/{legal.pk}"' in page and f'href="/children/{former.pk}"' in page
        assert "Ada Oram" not in page and f'href="/children/{elsewhere.pk}"' not in page
    page_b = client_for(officer_b).get(reverse("identify:search"), {"surname": "mars"}).content.decode()
    assert f'href="/children/{elsewhere.pk}"' in page_b
    assert f'href="/children/{legal.pk}"' not in page_b and f'href="/children/{former.pk}"' not in page_b
