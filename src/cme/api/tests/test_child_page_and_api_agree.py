"""For each role, the child page and GET /api/v1/children/{id} show the same facts of the same
child: every fact is on both or on neither. The policy decides which (docs/adr/0012).

Issue 9 point 1: the API used to show a school user every non-restricted flag with its detail,
the addresses, the contacts and the enrolments at other schools, which the page hides."""

import datetime as dt
import json

import pytest

from cme.accounts.models import Role
from cme.people import services as people
from cme.people.models import NameKind
from cme.providers.models import Enrolment
from cme.testing import factories as f


@pytest.fixture
def known_child(la_a, school_a, officer_a):
    """A child with one of every kind of fact, each a word that appears nowhere else."""
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley", legal_middle_names="Quillon",
                         uln="1234567890")
    people.child_update(actor=officer_a, child=child, upn="K901200124002")
    people.child_update(actor=officer_a, child=child, upn="W901200124001")  # the first becomes former
    people.child_name_add(actor=officer_a, child=child, kind=NameKind.PREFERRED, forename="Rubiqa")
    people.child_address_add(actor=officer_a, child=child, line1="7 Marlstone Row", postcode="NM1 7ZZ",
                             lived_from=dt.date(2020, 1, 1))
    people.child_address_add(actor=officer_a, child=child, line1="Harbourglass House", postcode="NM9 9ZZ",
                             lived_from=dt.date(2024, 1, 1), is_refuge=True)
    people.child_contact_add(actor=officer_a, child=child, name="Dorinda Hartley", relationship="Mother",
                             phone="01632 960777")
    people.child_flag_add(actor=officer_a, child=child, flag="young_carer", detail="Cares for Grandpa Tobiah")
    people.child_flag_add(actor=officer_a, child=child, flag="child_protection", detail="Plan since Veltember")
    other = f.make_school(la_a, "Brackenfold Academy", estab="2002")
    Enrolment.objects.create(child=child, provider=other, entry_date=dt.date(2019, 9, 1),
                             leaving_date=dt.date(2023, 7, 20), year_group="3")
    Enrolment.objects.create(child=child, provider=school_a, entry_date=dt.date(2023, 9, 4), year_group="5")
    return child


# Every fact of the child, by what it is; the value is a string that appears only if shown.
FACTS = {
    "legal name": "Hartley",
    "middle name": "Quillon",
    "UPN": "W901200124001",
    "former UPN": "K901200124002",
    "ULN": "1234567890",
    "preferred name": "Rubiqa",
    "address": "Marlstone Row",
    "refuge address": "Harbourglass House",
    "contact": "Dorinda Hartley",
    "flag": "Young carer",
    "flag detail": "Grandpa Tobiah",
    "restricted flag": "Child protection plan",
    "restricted flag detail": "Veltember",
    "other school": "Brackenfold Academy",
}

# What each role may see (the rest must be on neither the page nor the API).
EVERYTHING = set(FACTS)
NOT_RESTRICTED = EVERYTHING - {"refuge address", "restricted flag", "restricted flag detail"}
PUPIL = {"legal name", "middle name", "UPN"}


@pytest.fixture
def admissions_a(la_a):
    return f.make_user(la_a, Role.ADMISSIONS, username="ada")


@pytest.mark.parametrize(("persona", "allowed"), [
    ("officer_a", EVERYTHING),
    ("manager_a", EVERYTHING),
    ("admissions_a", NOT_RESTRICTED),
    ("school_user_a", PUPIL),
], indirect=["persona"])
def test_page_and_api_show_the_same_facts_of_a_child(persona, allowed, known_child, client_for, api_for):
    page = client_for(persona).get(f"/children/{known_child.pk}")
    api = api_for(persona).get(f"/api/v1/children/{known_child.pk}")
    assert page.status_code == 200 and api.status_code == 200
    html = page.content.decode()
    data = json.dumps(api.json(), ensure_ascii=False)
    on_page = {name for name, value in FACTS.items() if value in html}
    in_api = {name for name, value in FACTS.items() if value in data}
    assert on_page == in_api, f"page only: {on_page - in_api}; API only: {in_api - on_page}"
    assert in_api == allowed


def test_a_school_sees_only_its_own_roll_entries_in_the_api(school_user_a, school_a, known_child, api_for):
    data = api_for(school_user_a).get(f"/api/v1/children/{known_child.pk}").json()
    assert [e["provider"]["id"] for e in data["enrolments"]] == [school_a.pk]
    assert data["addresses"] is None and data["contacts"] is None and data["vulnerabilities"] is None


def test_officer_of_la_b_sees_the_child_on_neither(officer_b, known_child, client_for, api_for):
    assert client_for(officer_b).get(f"/children/{known_child.pk}").status_code == 404
    assert api_for(officer_b).get(f"/api/v1/children/{known_child.pk}").status_code == 404
