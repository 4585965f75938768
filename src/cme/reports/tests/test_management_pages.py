"""Managers and administrators reach the management pages from one link; the rules and clocks
page shows the sources officers never see; nobody else may open it."""

import pytest

from cme.accounts.models import Role
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


def test_manager_navigation_has_one_management_link(manager_a, client_for):
    html = client_for(manager_a).get("/").text
    assert 'href="/management"' in html and 'href="/team"' not in html.split("</header>")[0]


def test_rules_page_shows_each_rule_and_clock_with_its_source(manager_a, client_for):
    html = client_for(manager_a).get("/management/rules-and-clocks").text
    assert "SI 2024/208" in html and "unverified" in html
    assert "Continuous absence (10 school days)" in html and "First enquiry made" in html


def test_an_administrator_sees_the_rules_page(la_a, client_for):
    admin = f.make_user(la_a, Role.ADMINISTRATOR, username="ada")
    assert client_for(admin).get("/management/rules-and-clocks").status_code == 200


@pytest.mark.parametrize("persona", ["officer_a", "officer_b"], indirect=True)
def test_officers_may_not_open_the_management_pages(persona, client_for):
    client = client_for(persona)
    assert client.get("/management").status_code == 403
    assert client.get("/management/rules-and-clocks").status_code == 403
    assert 'href="/management"' not in client.get("/").text


@pytest.mark.parametrize("role", [Role.EWO, Role.ADMISSIONS])
def test_no_role_sees_a_link_to_a_page_it_may_not_open(la_a, client_for, role):
    user = f.make_user(la_a, role, username=f"u-{role}")
    client = client_for(user)
    html = client.get("/providers").text
    for href in ("/attendance/registers/upload", "/attendance/term-dates"):
        if href in html:
            assert client.get(href).status_code == 200, href
