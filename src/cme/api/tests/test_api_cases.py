"""GET /api/v1/cases and /api/v1/cases/{id}: the authority's own staff only, audited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cme.accounts.models import Role
from cme.audit.models import AuditEvent
from cme.testing import factories as f


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_list_and_read_a_case_of_la_a(persona, case_a, api_for):
    client = api_for(persona)
    listing = client.get("/api/v1/cases")
    assert listing.status_code == 200
    data = listing.json()
    assert data["count"] == 1 and data["page"] == 1
    [row] = data["items"]
    assert row["id"] == case_a.pk and row["child"]["surname"] == "Hartley"

    response = client.get(f"/api/v1/cases/{case_a.pk}")
    assert response.status_code == 200
    case = response.json()
    assert case["reference"] == case_a.reference
    assert case["stage"] == "logged" and case["stage_label"] == "Logged"
    assert case["category_label"] == "Missing education"
    assert case["reason_label"] == "Moved with no known destination"
    assert case["child"] == {
        "id": case_a.child_id, "forename": "Ruby", "surname": "Hartley",
        "date_of_birth": case_a.child.date_of_birth.isoformat(), "sex": "F", "upn": "",
    }
    assert case["officer"]["name"] == "Alice Tester"
    assert case["dates"]["referred_on"] == case_a.referred_on.isoformat()
    assert case["dates"]["located_on"] is None
    assert case["outcome"] is None


def test_officer_of_la_b_sees_nothing_of_la_a(officer_b, case_a, la_b, api_for):
    own = f.make_case(f.make_child(la_b))
    client = api_for(officer_b)
    data = client.get("/api/v1/cases").json()
    assert [row["id"] for row in data["items"]] == [own.pk] and data["count"] == 1
    response = client.get(f"/api/v1/cases/{case_a.pk}")
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}
    assert not AuditEvent.objects.filter(action="view", object_type="case").exists()


@pytest.mark.parametrize("outsider", ["partner_a", "school_user_a"])
def test_partners_and_schools_see_no_cases(request, outsider, case_a, api_for):
    client = api_for(request.getfixturevalue(outsider))
    data = client.get("/api/v1/cases").json()
    assert data == {"count": 0, "page": 1, "per_page": 25, "items": []}
    assert client.get(f"/api/v1/cases/{case_a.pk}").status_code == 404


def test_unknown_case_gets_the_same_404(officer_a, api_for):
    assert api_for(officer_a).get("/api/v1/cases/999999").status_code == 404


def test_case_list_filters(officer_a, manager_a, la_a, api_for):
    today = timezone.localdate()
    locating = f.make_case(f.make_child(la_a), stage="locating", responsible_officer=officer_a,
                           referred_on=today - timedelta(days=40))
    at_risk = f.make_case(f.make_child(la_a), stage="logged", category="at_risk",
                          responsible_officer=manager_a, referred_on=today - timedelta(days=5))
    closed = f.make_case(f.make_child(la_a), stage="closed", outcome="back_in_school",
                         referred_on=today - timedelta(days=100))
    client = api_for(officer_a)

    def ids(**params):
        response = client.get("/api/v1/cases", params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["items"]}

    assert ids() == {locating.pk, at_risk.pk, closed.pk}
    assert ids(stage="locating") == {locating.pk}
    assert ids(open="true") == {locating.pk, at_risk.pk}
    assert ids(category="at_risk") == {at_risk.pk}
    assert ids(officer=manager_a.pk) == {at_risk.pk}
    assert ids(referred_from=(today - timedelta(days=50)).isoformat()) == {locating.pk, at_risk.pk}
    assert ids(referred_to=(today - timedelta(days=50)).isoformat()) == {closed.pk}
    assert ids(q=at_risk.child.legal_surname) == {at_risk.pk}


def test_case_list_is_paged_newest_referral_first(officer_a, la_a, api_for):
    today = timezone.localdate()
    cases = [f.make_case(f.make_child(la_a), referred_on=today - timedelta(days=n)) for n in range(5)]
    client = api_for(officer_a)
    first = client.get("/api/v1/cases", {"per_page": 2}).json()
    last = client.get("/api/v1/cases", {"per_page": 2, "page": 3}).json()
    assert first["count"] == 5 and [r["id"] for r in first["items"]] == [cases[0].pk, cases[1].pk]
    assert [r["id"] for r in last["items"]] == [cases[4].pk]


@pytest.mark.parametrize("params, loc", [
    ({"stage": "lost"}, ["query", "stage"]),
    ({"category": "maybe"}, ["query", "category"]),
    ({"referred_from": "yesterday"}, ["query", "referred_from"]),
    ({"per_page": 1000}, ["query", "per_page"]),
    ({"page": 0}, ["query", "page"]),
])
def test_bad_filter_gets_422_naming_it(officer_a, case_a, api_for, params, loc):
    response = api_for(officer_a).get("/api/v1/cases", params)
    assert response.status_code == 422
    assert [p["loc"] for p in response.json()["detail"]] == [loc]


def test_case_id_that_is_not_a_number_gets_422(officer_a, api_for):
    response = api_for(officer_a).get("/api/v1/cases/C901-000001")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "case_id"]


def test_closed_case_shows_outcome_and_placement(officer_a, child_a, school_a, api_for):
    case = f.make_case(child_a, stage="closed", outcome="back_in_school", closed_on=timezone.localdate(),
                       last_known_provider=school_a, last_known_placement_on=timezone.localdate())
    data = api_for(officer_a).get(f"/api/v1/cases/{case.pk}").json()
    assert data["is_open"] is False
    assert data["outcome_label"] == "Back in school"
    assert data["last_known_placement"]["name"] == "Northmoor Primary School"
    assert data["last_known_placement"]["provider_id"] == school_a.pk


def test_admissions_officer_of_la_a_reads_cases_too(la_a, case_a, api_for):
    admissions = f.make_user(la_a, Role.ADMISSIONS)
    assert api_for(admissions).get(f"/api/v1/cases/{case_a.pk}").status_code == 200
