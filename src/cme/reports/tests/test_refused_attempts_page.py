"""Managers see who was refused records outside their scope, again and again: attempts on their
authority's records, and by their own people on anyone's (another authority's ids withheld).
Nobody else sees the page. The security events themselves: audit/tests/test_refused_attempts.py."""

import pytest

from cme.accounts.models import Role
from cme.testing import factories as f


def test_manager_sees_repeated_attempts_on_the_authoritys_records(officer_b, manager_a, client_for, child_a, case_a):
    bob = client_for(officer_b)
    for _ in range(3):
        bob.get(f"/children/{child_a.pk}")
    bob.get(f"/cases/{case_a.pk}")
    response = client_for(manager_a).get("/audit/refused")
    assert response.status_code == 200
    text = response.text
    assert "bob" in text and "Eastdale Council" in text
    assert "Repeated" in text and ">4" in text.replace(" ", "")
    assert f"child {child_a.pk}" in text and f"case {case_a.pk}" in text
    # Nothing about the child beyond its id: the page is about who asked.
    assert child_a.legal_surname not in text


def test_managers_of_the_actors_authority_see_the_attempt_without_the_other_authoritys_ids(
    officer_b, la_b, client_for, child_a
):
    manager_b = f.make_user(la_b, Role.MANAGER, username="morgan")
    client_for(officer_b).get(f"/children/{child_a.pk}")
    text = client_for(manager_b).get("/audit/refused").text
    assert "bob" in text and "child of another authority" in text
    assert f"child {child_a.pk}" not in text


def test_manager_of_an_authority_with_no_attempts_sees_none(manager_a, client_for, db):
    text = client_for(manager_a).get("/audit/refused").text
    assert "Nobody was refused a record" in text


@pytest.mark.parametrize("persona", ["officer_a", "officer_b"], indirect=True)
def test_officers_may_not_see_refused_attempts(persona, client_for):
    assert client_for(persona).get("/audit/refused").status_code == 403


@pytest.mark.parametrize("user", ["school_user_a", "partner_a"])
def test_school_and_partner_users_may_not_see_refused_attempts(user, request, client_for):
    assert client_for(request.getfixturevalue(user)).get("/audit/refused").status_code == 403


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_only_managers_reach_the_page_from_the_management_page(persona, client_for):
    client = client_for(persona)
    html = client.get("/").text
    nav = html.split('class="govuk-service-navigation__list"')[1].split("</ul>")[0]
    assert ('href="/management"' in nav) == persona.is_manager
    if persona.is_manager:
        assert 'href="/audit/refused"' in client.get("/management").text
