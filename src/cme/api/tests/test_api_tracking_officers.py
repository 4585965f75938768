"""The officer's side of movements through the API: deletion returns listed (a school its own, the
authority all of its schools'), new entries decided, the radar for managers; LA B sees nothing of A."""

import datetime as dt

import pytest

from cme.accounts.models import Role
from cme.testing import factories as f
from cme.tracking.models import Leaver, LeaverStatus, NewEntry
from cme.tracking.services import deletion_return_record, leavers_reconcile, new_entry_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost(la_a, school_a):
    from cme.attendance.calendar import DEMO_CALENDAR
    from cme.attendance.services import term_dates_import

    lines = [line for line in DEMO_CALENDAR.read_text().splitlines(keepends=True)
             if line.startswith(("scope", "901,"))]
    term_dates_import(actor=None, la_id=la_a.pk, lines=lines, filename="terms.csv")
    child = f.make_child(la_a, legal_forename="Ella", legal_surname="Burton", upn=f.make_upn("901"),
                         date_of_birth=dt.date(2015, 6, 2))
    f.enrol(child, school_a, upn=child.upn, year_group="5")
    deletion_return_record(actor=None, provider=school_a, child=child, deleted_on=dt.date(2025, 1, 10),
                           ground="g", source="api")
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 3, 3))
    return child


@pytest.fixture
def entry(lost, la_a):
    high = f.make_school(la_a, "Northmoor High", estab="4002")
    return new_entry_record(actor=None, provider=high, entry_date=dt.date(2025, 3, 4), source="api", person={
        "upn": "", "forename": "Ela", "surname": "Burton", "dob": "2015-06-02", "sex": "F"})


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b", "school_user_a"], indirect=True)
def test_deletion_returns_are_listed_to_their_school_and_authority_only(persona, api_for, lost, la_a, school_a):
    other = f.make_school(la_a, "Moorside Academy", estab="4003")
    sibling = f.make_child(la_a, legal_forename="Jack", legal_surname="Burton")
    f.enrol(sibling, other)
    deletion_return_record(actor=None, provider=other, child=sibling, deleted_on=dt.date(2025, 1, 13),
                           ground="g", source="api")
    response = api_for(persona).get("/api/v1/deletion-returns")
    assert response.status_code == 200
    schools = sorted(r["school"] for r in response.json())
    expected = {"officer_a": [other.name, school_a.name], "manager_a": [other.name, school_a.name],
                "officer_b": [], "school_user_a": [school_a.name]}
    assert schools == sorted(expected[_persona_name(persona)])


def _persona_name(user) -> str:
    return {"alice": "officer_a", "mary": "manager_a", "bob": "officer_b", "sam": "school_user_a"}[user.username]


def test_an_officer_confirms_a_new_entrys_match_and_the_leaver_is_found(api_for, officer_a, entry, lost):
    client = api_for(officer_a)
    [row] = client.get("/api/v1/new-entries").json()
    assert (row["id"], row["match"], row["forename"], row["matched_child_id"]) == (
        entry.pk, "to_confirm", "Ela", lost.pk)
    response = client.post_json(f"/api/v1/new-entries/{entry.pk}/decision", {"decision": "confirm"})
    assert response.status_code == 200 and response.json()["match"] == "confirmed"
    assert Leaver.objects.get(child=lost).status == LeaverStatus.ON_ROLL
    again = client.post_json(f"/api/v1/new-entries/{entry.pk}/decision", {"decision": "reject"})
    assert again.status_code == 422  # decided already


def test_a_rejected_match_leaves_the_leaver_lost(api_for, officer_a, entry, lost):
    response = api_for(officer_a).post_json(f"/api/v1/new-entries/{entry.pk}/decision", {"decision": "reject"})
    assert response.status_code == 200 and response.json()["match"] == "rejected"
    assert Leaver.objects.get(child=lost).status == LeaverStatus.UNRECONCILED


def test_another_authority_cannot_see_or_decide_a_new_entry(api_for, officer_b, entry):
    client = api_for(officer_b)
    assert client.get("/api/v1/new-entries").json() == []
    response = client.post_json(f"/api/v1/new-entries/{entry.pk}/decision", {"decision": "confirm"})
    assert response.status_code == 404
    assert NewEntry.objects.get(pk=entry.pk).match_state == NewEntry.MatchState.TO_CONFIRM


def test_a_school_cannot_see_or_decide_new_entries(api_for, school_user_a, entry):
    client = api_for(school_user_a)
    assert client.get("/api/v1/new-entries").status_code == 403
    assert client.post_json(f"/api/v1/new-entries/{entry.pk}/decision", {"decision": "confirm"}).status_code in (
        403, 404)
    assert NewEntry.objects.get(pk=entry.pk).match_state == NewEntry.MatchState.TO_CONFIRM


def test_a_bad_decision_is_refused_naming_the_field(api_for, officer_a, entry):
    response = api_for(officer_a).post_json(f"/api/v1/new-entries/{entry.pk}/decision", {"decision": "maybe"})
    assert response.status_code == 422 and "decision" in response.content.decode()


def test_the_radar_is_for_the_authoritys_managers(api_for, manager_a, officer_a, la_b, lost):
    body = api_for(manager_a).get("/api/v1/leavers/radar").json()
    [row] = body["schools"]
    assert row["deletions"] == 1 and row["pupils"][0]["name"] == "Ella Burton"
    assert row["pupils"][0]["counted_in"] == ["g_none"] and row["by_year_group"] == {"5": 1}
    assert set(body["council_rates"]) == {"Spring 2025"}
    assert api_for(officer_a).get("/api/v1/leavers/radar").status_code == 403
    manager_b = f.make_user(la_b, Role.MANAGER, username="mona")
    assert api_for(manager_b).get("/api/v1/leavers/radar").json() == {"council_rates": {}, "schools": []}
