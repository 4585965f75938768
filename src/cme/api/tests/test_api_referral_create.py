"""POST /api/v1/referrals: a system sends a referral, kept exactly as sent, for the right authority."""

import json

import pytest
from django.test import Client

from cme.accounts.models import Role, User
from cme.accounts.tokens import api_token_create
from cme.audit.models import AuditEvent
from cme.intake.models import Referral
from cme.testing import factories as f

URL = "/api/v1/referrals"


def body(**child):
    return {
        "referrer": {"name": "PC Sam Whitfield", "phone": "01632 960123"},
        "child": {
            "forename": "Leo",
            "surname": "Marsh",
            "date_of_birth": "2013-05-06",
            "sex": "M",
            "upn": f.make_upn("901"),
            "address": "14 Mill Lane, Northmoor",
            "postcode": "nm1 4ab",
            "last_known_school": "Northmoor Primary School",
            **child,
        },
        "concerns": "Seen in the town centre on school days for two weeks.",
    }


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_staff_referral_goes_to_their_own_authority(persona, api_for):
    sent = body()
    response = api_for(persona).post_json(URL, sent)
    assert response.status_code == 201
    data = response.json()
    referral = Referral.objects.get(reference=data["reference"])
    assert response["Location"] == f"/api/v1/referrals/{referral.reference}"
    assert data["status"] == "awaiting_triage" and data["status_label"] == "Waiting for triage"
    assert referral.la_id == persona.organisation_id
    assert referral.channel == "api"
    assert referral.submitted_by == persona
    assert referral.child_postcode == "NM1 4AB"
    # The original is kept exactly as sent, before anyone corrects the working copy.
    assert referral.as_received["fields"]["child_postcode"] == "nm1 4ab"
    assert referral.as_received["fields"]["child_date_of_birth"] == "2013-05-06"
    assert referral.as_received["channel"] == "api"
    event = AuditEvent.objects.get(action="create", object_type="referral", object_id=referral.reference)
    assert event.actor_id == persona.pk and event.via == "api"


def test_partner_referral_goes_to_its_authority_and_answers_only_the_status(partner_a, la_a, api_for):
    response = api_for(partner_a).post_json(URL, body(upn=""))
    assert response.status_code == 201
    data = response.json()
    referral = Referral.objects.get(reference=data["reference"])
    assert referral.la == la_a
    assert referral.submitted_by_org == partner_a.organisation
    assert referral.referrer_organisation == "Northmoor Police"
    assert referral.referrer_name == "PC Sam Whitfield"
    assert data["child"] is None and data["case"] is None and data["concerns"] is None


def test_school_referral_goes_to_its_authority(school_user_a, la_a, api_for):
    response = api_for(school_user_a).post_json(URL, body())
    assert response.status_code == 201
    assert Referral.objects.get(reference=response.json()["reference"]).la == la_a


def test_referrer_left_out_is_the_caller(partner_a, api_for):
    sent = body()
    del sent["referrer"]
    response = api_for(partner_a).post_json(URL, sent)
    referral = Referral.objects.get(reference=response.json()["reference"])
    assert referral.referrer_name == partner_a.get_full_name()
    assert referral.referrer_organisation == partner_a.organisation.name


def test_reported_vulnerabilities_travel_with_the_concerns(officer_a, api_for):
    response = api_for(officer_a).post_json(URL, body(vulnerabilities=["young_carer", "homeless"]))
    assert response.status_code == 201
    referral = Referral.objects.get(reference=response.json()["reference"])
    assert "Young carer; Homeless or in temporary accommodation" in referral.concerns
    assert referral.concerns.startswith("Seen in the town centre")


def test_account_outside_any_authority_may_not_refer(la_a, api_for):
    stranger = User.objects.create_user(username="nobody", password="x" * 20)
    other_la_user = f.make_user(f.make_school(la_a), Role.ADMISSIONS)  # not a school role
    for user in (stranger, other_la_user):
        response = api_for(user).post_json(URL, body())
        assert response.status_code == 403
        assert "may not make referrals" in response.json()["detail"]
    assert not Referral.objects.exists()


def test_systems_need_no_csrf_token(officer_a):
    """A bearer token is not sent by browsers on their own, so CSRF protection does not apply."""
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=officer_a)}")
    response = client.post(URL, json.dumps(body()), content_type="application/json")
    assert response.status_code == 201
