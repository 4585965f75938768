"""The children search page: staff find their authority's children, and no one else's."""

import pytest

from cme.audit.models import AuditEvent, AuditEventChild
from cme.testing import factories as f


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_find_a_child_by_name(persona, client_for, child_a):
    response = client_for(persona).get("/children", {"q": "Hartley"})
    assert response.status_code == 200
    assert f'href="/children/{child_a.pk}"' in response.text and "1 child found" in response.text


def test_officer_of_la_b_finds_none_of_la_a_children(officer_b, client_for, child_a, la_b):
    f.make_child(la_b, legal_forename="Ruby", legal_surname="Hartley")  # same name, other LA
    response = client_for(officer_b).get("/children", {"q": "Hartley"})
    assert f'href="/children/{child_a.pk}"' not in response.text
    assert "1 child found" in response.text


def test_search_by_upn_and_date_of_birth(officer_a, client_for, la_a):
    upn = f.make_upn("901")
    child = f.make_child(la_a, upn=upn)
    client = client_for(officer_a)
    assert f'href="/children/{child.pk}"' in client.get("/children", {"q": upn}).text
    dob = child.date_of_birth.strftime("%d/%m/%Y")
    assert f'href="/children/{child.pk}"' in client.get("/children", {"q": dob}).text


def test_the_page_opens_with_no_search_made(officer_a, client_for, child_a):
    response = client_for(officer_a).get("/children")
    assert response.status_code == 200 and "Hartley" not in response.text
    assert not AuditEvent.objects.filter(action="search", object_type="child").exists()


def test_a_search_is_audited_naming_the_children_found(officer_a, client_for, child_a):
    client_for(officer_a).get("/children", {"q": "Ruby"})
    event = AuditEvent.objects.get(action="search", object_type="child")
    assert event.detail["query"] == "Ruby"
    assert AuditEventChild.objects.filter(event=event, child_id=child_a.pk).exists()


def test_partner_cannot_search_children(partner_a, client_for, child_a):
    response = client_for(partner_a).get("/children", {"q": "Hartley"})
    assert response.status_code == 403 and "Hartley" not in response.text
