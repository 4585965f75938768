"""The pages: an officer finds and asks for a place; a school answers only its own requests and
gives its own places; managers see refusals; a panel's minutes withhold restricted detail."""

import datetime as dt

from django.utils import timezone

from cme.places import services
from cme.places.models import PlacementRequest, YearGroupPlaces
from cme.testing import factories as f


def test_officer_sees_suggestions_and_asks_for_a_place(place_case, area, officer_a, client_for):
    client = client_for(officer_a)
    page = client.get(f"/cases/{place_case.pk}/places")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Hilltop High School" in body and "The family asked for this provider" in body
    assert "Old Mill School" not in body.split('data-test="suggestions"')[1].split("</table>")[0]
    response = client.post(f"/cases/{place_case.pk}/places", {
        "provider": area["near"].pk, "kind": "admission", "year_group": "8", "note": "Moved into the area"})
    assert response.status_code == 302
    assert PlacementRequest.objects.get(case=place_case).provider == area["near"]


def test_a_refused_ask_shows_the_error_on_the_form(place_case, area, officer_a, client_for):
    client = client_for(officer_a)
    response = client.post(f"/cases/{place_case.pk}/places", {"provider": "", "kind": "admission", "year_group": "8"})
    assert response.status_code == 200 and "Choose the provider to ask" in response.content.decode()


def test_la_b_sees_nothing_of_a(place_case, officer_b, client_for, area, officer_a):
    request = services.placement_request(actor=officer_a, case=place_case, provider=area["near"],
                                         kind="admission", year_group="8")
    client = client_for(officer_b)
    assert client.get(f"/cases/{place_case.pk}/places").status_code == 404
    assert client.get(f"/placement-requests/{request.pk}").status_code == 404
    assert client.get(f"/places/providers/{area['near'].pk}").status_code == 404
    assert "Moor Lane" not in client.get("/placement-requests").content.decode()


def test_a_school_answers_its_own_requests_only(place_case, area, officer_a, near_school_user, far_school_user,
                                                client_for):
    request = services.placement_request(actor=officer_a, case=place_case, provider=area["near"],
                                         kind="admission", year_group="8")
    near = client_for(near_school_user)
    assert f"/placement-requests/{request.pk}" in near.get("/placement-requests").content.decode()
    start = timezone.localdate() + dt.timedelta(days=7)
    response = near.post(f"/placement-requests/{request.pk}", {
        "answer": "offered", "start_on-day": start.day, "start_on-month": start.month, "start_on-year": start.year})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "offered" and request.start_on == start
    far = client_for(far_school_user)
    assert far.get(f"/placement-requests/{request.pk}").status_code == 404
    assert f"/placement-requests/{request.pk}" not in far.get("/placement-requests").content.decode()
    assert near.get(f"/cases/{place_case.pk}/places").status_code == 404


def test_an_officer_takes_up_an_offer(place_case, area, officer_a, client_for):
    request = services.placement_request(actor=officer_a, case=place_case, provider=area["near"],
                                         kind="admission", year_group="8")
    services.placement_answer(actor=officer_a, request=request, answer="offered",
                              start_on=timezone.localdate() + dt.timedelta(days=3))
    client = client_for(officer_a)
    assert client.post(f"/placement-requests/{request.pk}/accept").status_code == 302
    place_case.refresh_from_db()
    assert place_case.provision_provider == area["near"]
    assert "Taken up" in client.get(f"/cases/{place_case.pk}/places").content.decode()


def test_a_school_gives_its_places_and_not_anothers(area, near_school_user, client_for):
    near = client_for(near_school_user)
    assert near.post(f"/places/providers/{area['near'].pk}", {"year_group": area["year"], "places_free": "2"}).status_code == 302
    assert YearGroupPlaces.objects.get(provider=area["near"]).places_free == 2
    assert near.get(f"/places/providers/{area['far'].pk}").status_code == 404


def test_directory_and_refusals(area, officer_a, manager_a, client_for, place_case):
    assert "Fresh Start Centre" in client_for(officer_a).get("/places/alternative-provision").content.decode()
    assert client_for(officer_a).get("/places/refusals").status_code == 403
    request = services.placement_request(actor=officer_a, case=place_case, provider=area["near"],
                                         kind="admission", year_group="8")
    services.placement_answer(actor=officer_a, request=request, answer="refused", reason="Full")
    assert "Moor Lane Academy" in client_for(manager_a).get("/places/refusals").content.decode()


def test_panel_meeting_decision_and_minutes(area, officer_a, manager_a, place_case, la_a, client_for):
    request = services.placement_request(actor=officer_a, case=place_case, provider=area["near"],
                                         kind="admission", year_group="8")
    services.placement_answer(actor=officer_a, request=request, answer="refused", reason="Full")
    panel = services.panel_create(actor=manager_a, name="Fair Access panel", kind="fair_access")
    client = client_for(officer_a)
    assert place_case.reference in client.get("/panels").content.decode()
    made = client.post(f"/panels/{panel.pk}/meetings")
    assert made.status_code == 302
    meeting_url = made["Location"]
    item = panel.meetings.get().items.get()
    due = timezone.localdate() + dt.timedelta(days=5)
    response = client.post(f"{meeting_url}/items/{item.pk}", {
        f"i{item.pk}-decision": "Allocate Hilltop", f"i{item.pk}-restricted_notes": "Father not to know",
        f"i{item.pk}-action": "Tell Hilltop", f"i{item.pk}-owner": officer_a.pk,
        f"i{item.pk}-due_on-day": due.day, f"i{item.pk}-due_on-month": due.month, f"i{item.pk}-due_on-year": due.year})
    assert response.status_code == 302
    minutes = client.get(f"{meeting_url}/minutes").content.decode()
    assert "Allocate Hilltop" in minutes and "Father not to know" in minutes and "Tell Hilltop" in minutes
    admissions = f.make_user(la_a, "admissions")
    withheld = client_for(admissions).get(f"{meeting_url}/minutes").content.decode()
    assert "Allocate Hilltop" in withheld and "Father not to know" not in withheld


def test_places_home_lists_the_pages_and_schools_get_their_requests(area, officer_a, manager_a, near_school_user,
                                                                    client_for):
    page = client_for(officer_a).get("/places").content.decode()
    assert "Alternative provision" in page and "Refused requests" not in page and "Moor Lane Academy" in page
    assert "Refused requests" in client_for(manager_a).get("/places").content.decode()
    assert client_for(near_school_user).get("/places").status_code == 404
    assert 'href="/placement-requests"' in client_for(near_school_user).get("/placement-requests").content.decode()


def test_officer_sets_a_capacity_and_a_school_cannot(area, officer_a, near_school_user, client_for):
    client = client_for(officer_a)
    url = f"/places/providers/{area['near'].pk}"
    assert "Set a year group" in client.get(url).content.decode()
    assert client.post(url, {"form": "capacity", "year_group": "9", "capacity": "28"}).status_code == 302
    assert YearGroupPlaces.objects.get(provider=area["near"], year_group="9").capacity == 28
    bad = client.post(url, {"form": "capacity", "year_group": "9", "capacity": "lots"})
    assert "Enter the capacity as a whole number" in bad.content.decode()
    school = client_for(near_school_user)
    assert "Set a year group" not in school.get(url).content.decode()
    assert school.post(url, {"form": "capacity", "year_group": "9", "capacity": "99"}).status_code == 403


def test_directory_entry_is_kept_by_the_authority(area, officer_a, client_for):
    from cme.places.models import ProviderProfile

    client = client_for(officer_a)
    url = f"/places/providers/{area['ap'].pk}/directory"
    assert client.get(url).status_code == 200
    response = client.post(url, {"low_year": "9", "high_year": "7", "needs_met": ["medical"]})
    assert "The highest year group must not be below the lowest" in response.content.decode()
    response = client.post(url, {"low_year": "7", "high_year": "11", "needs_met": ["medical", "semh"],
                                 "referral_route": "By e-mail", "cost_per_week": "250.00", "serves_km": "10"})
    assert response.status_code == 302
    profile = ProviderProfile.objects.get(provider=area["ap"])
    assert profile.needs == {"medical", "semh"} and profile.serves_km == 10


def test_a_manager_sets_up_a_panel_and_an_officer_cannot(manager_a, officer_a, client_for):
    from cme.places.models import Panel

    assert client_for(officer_a).get("/panels/new").status_code == 403
    client = client_for(manager_a)
    response = client.post("/panels/new", {"name": "CME panel", "kind": "cme",
                                           "members": "Dr Shah; Health\nPC Farrell; Police"})
    assert response.status_code == 302
    panel = Panel.objects.get()
    assert [m.name for m in panel.members.all()] == ["Dr Shah", "PC Farrell"]
    assert "CME panel" in client.get("/panels").content.decode()


def test_la_b_cannot_open_a_meeting_or_minutes_of_a(manager_a, officer_a, officer_b, place_case, client_for):
    panel = services.panel_create(actor=manager_a, name="CME panel", kind="cme")
    meeting = services.meeting_create(actor=officer_a, panel=panel, held_on=timezone.localdate(),
                                      cases=[(place_case, "Clock run out")])
    client = client_for(officer_b)
    assert client.get(f"/panels/meetings/{meeting.pk}").status_code == 404
    assert client.get(f"/panels/meetings/{meeting.pk}/minutes").status_code == 404
    assert client_for(manager_a).get(f"/panels/meetings/{meeting.pk}").status_code == 200
