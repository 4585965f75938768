"""POST /api/v1/matches: candidates with probability and explanation, for LA staff only, within
their own authority, audited as a search."""

import pytest

from cme.audit.models import AuditEvent
from cme.matching.tests.rolls import make_rolls

BODY = {"forename": "Bill", "surname": "Hartly", "date_of_birth": "2014-03-12", "postcode": "NM1 2AB"}


@pytest.fixture
def rolls(la_a, school_a):
    return make_rolls(la_a, school_a)


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_get_candidates_with_probability_and_explanation(persona, api_for, rolls, school_a):
    response = api_for(persona).post_json("/api/v1/matches", BODY)
    assert response.status_code == 200
    best = response.json()["candidates"][0]
    assert best["child"]["id"] == rolls["william"].pk
    assert best["probability"] > 0.5
    assert best["placement"] == "on_roll"
    assert best["providers"] == [{"name": school_a.name, "kind": "school", "laestab": school_a.laestab}]
    outcomes = {e["field"]: e["outcome"] for e in best["explanation"]}
    assert outcomes["forename"] == "similar" and outcomes["dob"] == "similar" and outcomes["upn"] == "missing"
    assert all(isinstance(e["weight"], float) for e in best["explanation"])
    event = AuditEvent.objects.filter(actor=persona, action="search", object_type="child").latest("id")
    assert event.via == "api" and event.detail["ids"][0] == rolls["william"].pk


def test_officer_of_la_b_finds_nothing_of_la_a(api_for, officer_b, rolls):
    response = api_for(officer_b).post_json("/api/v1/matches", BODY)
    assert response.status_code == 200 and response.json() == {
        "candidates": [], "household_warning": False, "enough_to_score": True, "fitting": [], "fitting_total": 0}


def test_schools_and_partners_are_refused(api_for, school_user_a, partner_a, rolls):
    for user in (school_user_a, partner_a):
        response = api_for(user).post_json("/api/v1/matches", BODY)
        assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="search", object_type="child").exists()


def test_bad_input_names_the_field(api_for, officer_a):
    client = api_for(officer_a)
    response = client.post_json("/api/v1/matches", {"surname": "Hartley", "upn": "X123"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "upn"]
    response = client.post_json("/api/v1/matches", {"postcode": "NM1 2AB"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "surname"]
    response = client.post_json("/api/v1/matches", {"surname": "Hartley", "date_of_birth": "2099-01-01"})
    assert response.json()["detail"][0]["loc"] == ["body", "date_of_birth"]


def test_no_token_is_refused(anonymous_api):
    assert anonymous_api.post_json("/api/v1/matches", BODY).status_code == 401


def test_a_surname_alone_lists_the_children_who_fit_as_the_page_does(api_for, officer_a, client_for, rolls):
    body = api_for(officer_a).post_json("/api/v1/matches", {"surname": "Hartley"}).json()
    assert body["enough_to_score"] is False and body["candidates"] == []
    assert body["fitting_total"] == 1 and body["fitting"][0]["id"] == rolls["william"].pk
    assert body["fitting"][0]["open_case"] is None
    page = client_for(officer_a).get("/find-a-child", {"surname": "Hartley"}).text
    assert "Too little to tell which child: 1 child fits" in page and f'href="/children/{rolls["william"].pk}"' in page


def test_candidates_say_whether_their_household_is_the_referred_childs(api_for, officer_a, rolls):
    body = api_for(officer_a).post_json("/api/v1/matches", BODY).json()
    assert body["candidates"][0]["household"] is True  # Hartly at NM1 2AB: the Hartleys
    assert body["household_warning"] is False
