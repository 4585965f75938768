"""GET /api/v1/children and /api/v1/children/{id}: scoped as the pages are; restricted detail
withheld, and said to be, for roles that may not see it."""

from datetime import date

import pytest

from cme.accounts.models import Role
from cme.audit.models import AuditEvent
from cme.people.services import child_address_add, child_flag_add
from cme.testing import factories as f


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_search_and_read_a_child_of_la_a(persona, child_a, la_a, api_for):
    f.make_child(la_a, legal_forename="Omar", legal_surname="Quinn")
    client = api_for(persona)
    data = client.get("/api/v1/children", {"q": "hartley"}).json()
    assert data["count"] == 1 and [c["id"] for c in data["items"]] == [child_a.pk]
    assert client.get("/api/v1/children").json()["count"] == 2

    response = client.get(f"/api/v1/children/{child_a.pk}")
    assert response.status_code == 200
    child = response.json()
    assert child["forename"] == "Ruby" and child["surname"] == "Hartley"
    assert child["restricted_detail_withheld"] is False and child["withheld_note"] is None


def test_officer_of_la_b_sees_nothing_of_la_a(officer_b, child_a, la_b, api_for):
    own = f.make_child(la_b, legal_surname="Hartley")
    client = api_for(officer_b)
    data = client.get("/api/v1/children", {"q": "Hartley"}).json()
    assert [c["id"] for c in data["items"]] == [own.pk]
    assert child_a.pk not in {c["id"] for c in client.get("/api/v1/children").json()["items"]}
    response = client.get(f"/api/v1/children/{child_a.pk}")
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}
    assert not AuditEvent.objects.filter(action="view", object_type="child").exists()


def test_school_user_sees_only_its_own_current_pupils(school_user_a, school_a, la_a, child_a, api_for):
    pupil = f.make_child(la_a)
    f.enrol(pupil, school_a, year_group="5")
    former = f.make_child(la_a)
    f.enrol(former, school_a, leaving_date=date(2025, 7, 20))
    client = api_for(school_user_a)
    data = client.get("/api/v1/children").json()
    assert [c["id"] for c in data["items"]] == [pupil.pk]
    response = client.get(f"/api/v1/children/{pupil.pk}")
    assert response.status_code == 200
    assert response.json()["enrolments"][0]["provider"]["name"] == "Northmoor Primary School"
    for other in (former, child_a):
        assert client.get(f"/api/v1/children/{other.pk}").status_code == 404


def test_partner_sees_no_children(partner_a, child_a, api_for):
    client = api_for(partner_a)
    assert client.get("/api/v1/children").json()["items"] == []
    assert client.get(f"/api/v1/children/{child_a.pk}").status_code == 404


def _restricted_child(officer_a, child_a):
    child_flag_add(actor=officer_a, child=child_a, flag="child_protection", detail="Plan since May")
    child_flag_add(actor=officer_a, child=child_a, flag="young_carer")
    child_address_add(actor=officer_a, child=child_a, line1="1 Safe Street", is_refuge=True)
    child_address_add(actor=officer_a, child=child_a, line1="9 Old Road", postcode="NM2 2BB")


def test_restricted_detail_is_withheld_and_said_to_be(la_a, officer_a, child_a, api_for):
    _restricted_child(officer_a, child_a)
    admissions = f.make_user(la_a, Role.ADMISSIONS)
    data = api_for(admissions).get(f"/api/v1/children/{child_a.pk}").json()
    assert [v["flag"] for v in data["vulnerabilities"]] == ["young_carer"]
    assert [a["line1"] for a in data["addresses"]] == ["9 Old Road"]
    assert "Safe Street" not in str(data) and "Plan since May" not in str(data)
    assert data["restricted_detail_withheld"] is True
    assert "withheld" in data["withheld_note"]


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_roles_allowed_restricted_detail_see_it(persona, officer_a, child_a, api_for):
    _restricted_child(officer_a, child_a)
    data = api_for(persona).get(f"/api/v1/children/{child_a.pk}").json()
    assert {v["flag"] for v in data["vulnerabilities"]} == {"child_protection", "young_carer"}
    assert any(a["is_refuge"] and a["line1"] == "1 Safe Street" for a in data["addresses"])
    assert data["restricted_detail_withheld"] is False


def test_children_search_is_paged(officer_a, la_a, api_for):
    for n in range(5):
        f.make_child(la_a, legal_surname=f"Page{n}")
    data = api_for(officer_a).get("/api/v1/children", {"per_page": 2, "page": 2}).json()
    assert data["count"] == 5
    assert [c["surname"] for c in data["items"]] == ["Page2", "Page3"]
