"""Where a child was found, at a refuge: shown to roles that may see restricted detail, withheld
from the others, alike on the case page and in the API (the policy decides, not a template)."""

import datetime as dt

import pytest

from cme.accounts.models import Role
from cme.cases.casework.services import case_child_found
from cme.testing import factories as f


@pytest.fixture
def found_at_refuge(case_a, officer_a):
    case_child_found(actor=officer_a, case=case_a, on=dt.date.today(), line1="Harbourglass House",
                     postcode="NM9 9ZZ", parental_responsibility="Jane Hartley (mother)", is_refuge=True)
    return case_a


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_roles_that_may_see_restricted_detail_see_the_refuge_on_page_and_api(persona, found_at_refuge,
                                                                           client_for, api_for):
    page = client_for(persona).get(f"/cases/{found_at_refuge.pk}").content.decode()
    data = api_for(persona).get(f"/api/v1/cases/{found_at_refuge.pk}/whereabouts").json()
    assert "Harbourglass House" in page
    assert "Harbourglass House" in data["locations"][0]["address"]
    assert data["locations"][0]["address_withheld"] is False


def test_a_role_that_may_not_sees_it_withheld_on_page_and_api(la_a, found_at_refuge, client_for, api_for):
    admissions = f.make_user(la_a, Role.ADMISSIONS)
    page = client_for(admissions).get(f"/cases/{found_at_refuge.pk}").content.decode()
    data = api_for(admissions).get(f"/api/v1/cases/{found_at_refuge.pk}/whereabouts").json()
    assert "Harbourglass House" not in page and "(address restricted)" in page
    assert data["locations"][0]["address"] is None and data["locations"][0]["address_withheld"] is True
    assert "Harbourglass House" not in str(data)


def test_officer_of_la_b_sees_neither(officer_b, found_at_refuge, client_for, api_for):
    assert client_for(officer_b).get(f"/cases/{found_at_refuge.pk}").status_code == 404
    assert api_for(officer_b).get(f"/api/v1/cases/{found_at_refuge.pk}/whereabouts").status_code == 404
