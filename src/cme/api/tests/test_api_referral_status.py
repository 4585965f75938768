"""GET /api/v1/referrals/{reference}: staff see their authority's referrals; a partner or school
sees only the status of the referrals it made; anything else is 404."""

import pytest

from cme.audit.models import AuditEvent
from cme.testing import factories as f


def url(referral):
    return f"/api/v1/referrals/{referral.reference}"


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_read_a_referral_of_la_a_with_its_detail(persona, referral_a, api_for):
    response = api_for(persona).get(url(referral_a))
    assert response.status_code == 200
    data = response.json()
    assert data["reference"] == referral_a.reference
    assert data["status_label"] == "Waiting for triage"
    assert data["child"]["forename"] == "Leo" and data["child"]["surname"] == "Marsh"
    assert data["channel"] == "phone"
    event = AuditEvent.objects.get(action="view", object_type="referral", object_id=referral_a.reference)
    assert event.actor_id == persona.pk and event.via == "api"


def test_officer_of_la_b_gets_404_on_a_referral_of_la_a(officer_b, referral_a, api_for):
    response = api_for(officer_b).get(url(referral_a))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    assert not AuditEvent.objects.filter(action="view", object_type="referral").exists()


def test_unknown_reference_gets_the_same_404(officer_a, api_for):
    response = api_for(officer_a).get("/api/v1/referrals/R901-999999")
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}


def test_partner_sees_only_the_status_of_its_own_referrals(partner_a, la_a, referral_a, api_for):
    own = f.make_referral(la_a, submitted_by=partner_a, submitted_by_org=partner_a.organisation)
    client = api_for(partner_a)
    response = client.get(url(own))
    assert response.status_code == 200
    data = response.json()
    assert data["reference"] == own.reference and data["status_label"] == "Waiting for triage"
    assert data["received_at"]
    assert data["child"] is None and data["case"] is None and data["concerns"] is None
    # Another referral of the same authority, not made by this partner.
    assert client.get(url(referral_a)).status_code == 404


def test_partner_sees_the_status_change_when_a_case_is_opened(partner_a, la_a, child_a, api_for):
    case = f.make_case(child_a)
    own = f.make_referral(la_a, submitted_by_org=partner_a.organisation, status="case_opened", case=case)
    data = api_for(partner_a).get(url(own)).json()
    assert data["status"] == "case_opened" and data["status_label"] == "Case opened"
    assert data["case"] is None  # the case itself is the authority's business


def test_staff_see_the_case_a_referral_went_to(officer_a, la_a, child_a, api_for):
    case = f.make_case(child_a)
    referral = f.make_referral(la_a, status="case_opened", case=case)
    data = api_for(officer_a).get(url(referral)).json()
    assert data["case"] == {"id": case.pk, "reference": case.reference}


def test_school_sees_only_its_own_referrals(school_user_a, school_a, la_a, referral_a, api_for):
    own = f.make_referral(la_a, submitted_by_org=school_a)
    client = api_for(school_user_a)
    assert client.get(url(own)).status_code == 200
    assert client.get(url(referral_a)).status_code == 404
