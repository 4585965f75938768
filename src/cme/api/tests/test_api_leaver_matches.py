"""A leaver's possible match through the API: listed with the leaver, decided by a case officer of
the authority; LA B sees and decides nothing of A's. The rules: cme/tracking/tests/
test_leaver_found_by_matching_waits_for_an_officer.py."""

import datetime as dt

import pytest

from cme.tracking.services import leavers_reconcile
from cme.tracking.tests.test_leaver_found_by_matching_waits_for_an_officer import (  # noqa: F401 (fixtures)
    _leaver,
    ella,
    ellie_at_high,
    high,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_possible_matches_are_listed_and_decided_through_the_api_by_their_own_authority_only(
        persona, api_for, ella, ellie_at_high, la_a):  # noqa: F811 (the fixtures imported)
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 1, 17))
    client = api_for(persona)
    rows = client.get("/api/v1/leavers").json()
    mine = persona.la_id == la_a.pk
    if mine:
        [row] = rows
        assert row["match"] == "to_confirm" and row["possible_match"]["school"] == "Northmoor High"
        assert row["possible_match"]["enrolment_id"] == ellie_at_high.pk
    else:
        assert rows == []
    leaver = _leaver(ella)
    response = client.post_json(f"/api/v1/leavers/{leaver.pk}/match-decision", {"decision": "reject"})
    assert response.status_code == (200 if mine else 404)
    if mine:
        assert response.json()["match"] == "" and response.json()["possible_match"] is None
        again = client.post_json(f"/api/v1/leavers/{leaver.pk}/match-decision", {"decision": "confirm"})
        assert again.status_code == 422  # nothing waits for a decision now
    assert _leaver(ella).rejected == ([ellie_at_high.pk] if mine else [])
