"""Without a valid bearer token, every endpoint answers 401 with a JSON body and changes nothing."""

import json

import pytest
from django.test import Client

from cme.accounts.tokens import api_token_create, api_token_revoke
from cme.intake.models import Referral

REFERRAL = {"child": {"forename": "Leo", "surname": "Marsh"}, "concerns": "Not seen."}


def endpoints(case_a, child_a, referral_a):
    return [
        ("get", "/api/v1/cases"),
        ("get", f"/api/v1/cases/{case_a.pk}"),
        ("get", "/api/v1/children"),
        ("get", f"/api/v1/children/{child_a.pk}"),
        ("get", f"/api/v1/referrals/{referral_a.reference}"),
        ("post", "/api/v1/referrals"),
    ]


def call(client, method, path):
    if method == "post":
        return client.post(path, json.dumps(REFERRAL), content_type="application/json")
    return client.get(path)


def assert_refused(response):
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "token" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Basic YWxpY2U6cGFzcw==",
                                    "Bearer cme_00000000_notarealsecret"])
def test_no_or_bad_token_gets_401(header, case_a, child_a, referral_a):
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    before = Referral.objects.count()
    for method, path in endpoints(case_a, child_a, referral_a):
        assert_refused(call(client, method, path))
    assert Referral.objects.count() == before


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_revoked_token_gets_401(persona, case_a, child_a, referral_a):
    token = api_token_create(user=persona)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/cases").status_code == 200
    api_token_revoke(user=persona, prefix=token.split("_")[1])
    for method, path in endpoints(case_a, child_a, referral_a):
        assert_refused(call(client, method, path))


def test_token_of_a_deactivated_user_gets_401(officer_a, case_a, child_a, referral_a):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=officer_a)}")
    officer_a.is_active = False
    officer_a.save()
    for method, path in endpoints(case_a, child_a, referral_a):
        assert_refused(call(client, method, path))


def test_signed_in_browser_session_is_not_a_token(client_for, officer_a, case_a, child_a, referral_a):
    client = client_for(officer_a)
    for method, path in endpoints(case_a, child_a, referral_a):
        assert_refused(call(client, method, path))
