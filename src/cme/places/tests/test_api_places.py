"""The places API: suggestions best first, requests and answers; a school sees and answers only
the requests made to it; LA B sees nothing of LA A."""

import datetime as dt

import pytest
from django.utils import timezone

from cme.api.tests.conftest import api_for  # noqa: F401 - the fixture
from cme.places.models import PlacementRequest


def test_places_of_a_case_best_first(place_case, officer_a, api_for):  # noqa: F811
    response = api_for(officer_a).get(f"/api/v1/cases/{place_case.pk}/places")
    assert response.status_code == 200
    body = response.json()
    assert [p["name"] for p in body] == ["Hilltop High School", "Moor Lane Academy", "Fresh Start Centre"]
    first = body[0]
    assert set(first) >= {"laestab", "name", "year_group", "places_free", "distance_km", "reasons"}
    assert first["laestab"] == "9014102" and first["places_free"] == 3 and 5.5 < first["distance_km"] < 5.6
    assert "The family asked for this provider" in first["reasons"]


def test_la_b_sees_nothing_of_la_a(place_case, officer_b, api_for, area, officer_a):  # noqa: F811
    client = api_for(officer_b)
    assert client.get(f"/api/v1/cases/{place_case.pk}/places").status_code == 404
    assert client.get(f"/api/v1/cases/{place_case.pk}/placement-requests").status_code == 404
    made = api_for(officer_a).post_json(f"/api/v1/cases/{place_case.pk}/placement-requests",
                                        {"laestab": "9014101", "kind": "admission", "year_group": "8"})
    assert made.status_code == 201, made.content
    rid = made.json()["id"]
    assert client.get("/api/v1/placement-requests").json() == []
    answer = client.post_json(f"/api/v1/placement-requests/{rid}/answer", {"answer": "no_answer"})
    assert answer.status_code == 404
    assert client.get("/api/v1/providers/9014101/places").status_code == 404


def test_a_school_sees_and_answers_only_requests_made_to_it(place_case, area, officer_a, near_school_user,
                                                            far_school_user, api_for):  # noqa: F811
    officer = api_for(officer_a)
    to_near = officer.post_json(f"/api/v1/cases/{place_case.pk}/placement-requests",
                                {"laestab": "9014101", "kind": "admission", "year_group": "8"}).json()["id"]
    to_far = officer.post_json(f"/api/v1/cases/{place_case.pk}/placement-requests",
                               {"laestab": "9014102", "kind": "admission", "year_group": "8"}).json()["id"]
    near = api_for(near_school_user)
    assert [r["id"] for r in near.get("/api/v1/placement-requests").json()] == [to_near]
    assert near.post_json(f"/api/v1/placement-requests/{to_far}/answer",
                          {"answer": "refused", "reason": "Full"}).status_code == 404
    start = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    answered = near.post_json(f"/api/v1/placement-requests/{to_near}/answer", {"answer": "offered", "start_on": start})
    assert answered.status_code == 200 and answered.json()["state"] == "offered"
    # The school cannot see the case, nor take up the offer for the family.
    assert near.get(f"/api/v1/cases/{place_case.pk}/places").status_code == 404
    assert near.post_json(f"/api/v1/placement-requests/{to_near}/accept", {}).status_code == 403
    accepted = officer.post_json(f"/api/v1/placement-requests/{to_near}/accept", {})
    assert accepted.status_code == 200 and accepted.json()["accepted_on"]
    place_case.refresh_from_db()
    assert place_case.provision_provider_id == area["near"].pk
    watch = officer.get(f"/api/v1/cases/{place_case.pk}/provision-watch").json()
    assert [(w["laestab"], w["state"], w["school_days"]) for w in watch] == [("9014101", "watching", 20)]
    assert near.get(f"/api/v1/cases/{place_case.pk}/provision-watch").status_code == 404


def test_bad_answers_name_the_field(place_case, officer_a, near_school_user, api_for):  # noqa: F811
    rid = api_for(officer_a).post_json(f"/api/v1/cases/{place_case.pk}/placement-requests",
                                       {"laestab": "9014101", "kind": "admission", "year_group": "8"}).json()["id"]
    response = api_for(near_school_user).post_json(f"/api/v1/placement-requests/{rid}/answer", {"answer": "offered"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "start_on"]
    assert PlacementRequest.objects.get(pk=rid).state == "waiting"


def test_a_school_gives_its_own_places_figure_only(area, near_school_user, far_school_user, api_for):  # noqa: F811
    year = area["year"]
    near = api_for(near_school_user)
    response = near.put(f"/api/v1/providers/9014101/places/{year}", '{"places_free": 0}',
                        content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["places_free"] == 0 and response.json()["school_figure"] == 0
    other = near.put(f"/api/v1/providers/9014102/places/{year}", '{"places_free": 5}', content_type="application/json")
    assert other.status_code == 404


@pytest.mark.parametrize("persona", ["officer_b"], indirect=True)
def test_a_panel_meeting_of_another_authority_is_not_found(persona, api_for, manager_a, place_case):  # noqa: F811
    from cme.places import services

    panel = services.panel_create(actor=manager_a, name="Fair Access panel", kind="fair_access")
    meeting = services.meeting_create(actor=manager_a, panel=panel, held_on=timezone.localdate(),
                                      cases=[(place_case, "Refused twice")])
    assert api_for(persona).get(f"/api/v1/panel-meetings/{meeting.pk}").status_code == 404
    assert api_for(manager_a).get(f"/api/v1/panel-meetings/{meeting.pk}").status_code == 200


def test_capacity_directory_refusals_and_panels_through_the_api(area, officer_a, manager_a, near_school_user,
                                                                officer_b, place_case, api_for):  # noqa: F811
    officer = api_for(officer_a)
    year = area["year"]
    response = officer.put(f"/api/v1/providers/9014101/capacity/{year}", '{"capacity": 32}',
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["capacity"] == 32
    school = api_for(near_school_user)
    assert school.put(f"/api/v1/providers/9014101/capacity/{year}", '{"capacity": 99}',
                      content_type="application/json").status_code == 403
    body = '{"needs_met": ["semh", "medical"], "serves_km": 8, "referral_route": "Through the CME team"}'
    response = officer.put("/api/v1/providers/9011101/directory", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["needs_met"] == ["medical", "semh"]
    assert [e["name"] for e in officer.get("/api/v1/alternative-provision").json()] == ["Fresh Start Centre"]
    assert api_for(officer_b).get("/api/v1/alternative-provision").json() == []
    assert officer.get("/api/v1/placement-refusals").status_code == 403
    assert api_for(manager_a).get("/api/v1/placement-refusals").json() == []
    manager = api_for(manager_a)
    panel = manager.post_json("/api/v1/panels", {"name": "Hard to place panel", "kind": "hard_to_place",
                                                 "members": ["Head of Moor Lane; Secondary heads"]})
    assert panel.status_code == 201 and panel.json()["members"] == ["Head of Moor Lane"]
    pid = panel.json()["id"]
    meeting = officer.post_json(f"/api/v1/panels/{pid}/meetings", {"held_on": "2026-01-20", "case_ids": [place_case.pk]})
    assert meeting.status_code == 201, meeting.content
    item = meeting.json()["items"][0]
    decided = officer.post_json(f"/api/v1/panel-meetings/{meeting.json()['id']}/items/{item['id']}/decision", {
        "decision": "Allocate Hilltop", "actions": [{"title": "Tell Hilltop", "owner_id": officer_a.pk,
                                                     "due_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()}]})
    assert decided.status_code == 200 and decided.json()["actions"] == ["Tell Hilltop"]
    assert api_for(officer_b).post_json(f"/api/v1/panels/{pid}/meetings", {"held_on": "2026-01-20"}).status_code == 404
