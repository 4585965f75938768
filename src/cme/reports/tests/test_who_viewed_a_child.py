"""A manager of the child's authority sees who viewed, searched for or exported the child:
when, from where, through the web or the API. Nobody else does."""

import pytest

from cme.audit.context import Origin, origin
from cme.audit.services import audit_record
from cme.testing import factories as f


def test_manager_sees_views_searches_and_api_reads_of_the_child(officer_a, manager_a, client_for, child_a, case_a):
    officer = client_for(officer_a)
    officer.get(f"/children/{child_a.pk}")
    officer.get(f"/cases/{case_a.pk}")
    officer.get("/find-a-child", {"q": "Hartley"})
    with origin(Origin(ip_address="10.1.2.3", user_agent="school-mis", via="api")):
        audit_record(actor=officer_a, action="export", object_type="child", object_id=child_a.pk,
                     child_id=child_a.pk, la_id=child_a.la_id, summary="Exported child")
    response = client_for(manager_a).get(f"/children/{child_a.pk}/viewers")
    assert response.status_code == 200
    text = response.text
    assert "Alice Tester (Northmoor Council)" in text
    assert f"Viewed child {child_a.full_name}" in text
    assert f"Viewed case {case_a.reference}" in text
    assert "Searched for a child: “Hartley”" in text
    assert "Exported" in text and "10.1.2.3" in text and "API" in text
    assert "127.0.0.1" in text and "Web" in text


def test_a_search_that_did_not_find_the_child_is_not_listed(officer_a, manager_a, client_for, child_a, la_a):
    f.make_child(la_a, legal_forename="Zed", legal_surname="Other")
    client_for(officer_a).get("/find-a-child", {"q": "Zed"})
    text = client_for(manager_a).get(f"/children/{child_a.pk}/viewers").text
    assert "Searched for a child: “Zed”" not in text


def test_changes_are_not_counted_as_views(officer_a, manager_a, client_for, child_a):
    from cme.people.services import child_update

    child_update(actor=officer_a, child=child_a, legal_surname="Hartley-Ward")
    text = client_for(manager_a).get(f"/children/{child_a.pk}/viewers").text
    assert "Changed legal_surname" not in text


@pytest.mark.parametrize("persona", ["officer_a", "officer_b"], indirect=True)
def test_officers_get_403(persona, client_for, child_a):
    response = client_for(persona).get(f"/children/{child_a.pk}/viewers")
    assert response.status_code == 403
    assert "Hartley" not in response.text


def test_manager_of_another_la_gets_404(la_b, client_for, child_a):
    from cme.accounts.models import Role

    manager_b = f.make_user(la_b, Role.MANAGER, username="morgan")
    assert client_for(manager_b).get(f"/children/{child_a.pk}/viewers").status_code == 404


@pytest.mark.parametrize("user", ["school_user_a", "partner_a"])
def test_school_and_partner_users_get_403(user, request, client_for, child_a):
    assert client_for(request.getfixturevalue(user)).get(f"/children/{child_a.pk}/viewers").status_code == 403
