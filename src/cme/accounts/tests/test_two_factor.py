"""LA staff pass two-factor sign-in (TOTP) before they see any page."""

import pytest
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cme.audit.models import Action, AuditEvent
from cme.testing.factories import TEST_PASSWORD


def _password_only(client, user):
    response = client.post("/sign-in", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def _code(device) -> str:
    return f"{TOTP(device.bin_key).token():06d}"


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_staff_without_two_factor_are_sent_to_it_from_every_page(client, persona):
    _password_only(client, persona)
    assert client.get("/")["Location"] == "/two-factor"
    assert client.get("/cases")["Location"] == "/two-factor"
    assert client.get("/two-factor")["Location"] == "/two-factor/set-up"
    # Public pages stay open on the way through.
    assert client.get("/accessibility").status_code == 200


def test_officer_with_a_device_enters_its_code(client, officer_a):
    device = TOTPDevice.objects.create(user=officer_a, name="Phone", confirmed=True)
    _password_only(client, officer_a)
    assert client.get("/")["Location"] == "/two-factor"
    page = client.get("/two-factor")
    assert page.status_code == 200
    assert b"Enter the code from your authenticator app" in page.content

    response = client.post("/two-factor", {"code": _code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action=Action.SIGN_IN, summary="Passed two-factor sign-in").exists()


def test_wrong_code_is_refused(client, officer_a):
    device = TOTPDevice.objects.create(user=officer_a, name="Phone", confirmed=True)
    right = _code(device)
    wrong = "000000" if right != "000000" else "111111"
    _password_only(client, officer_a)
    response = client.post("/two-factor", {"code": wrong})
    assert response.status_code == 200
    assert b"The code is not right" in response.content
    assert client.get("/")["Location"] == "/two-factor"
    assert AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED, summary="Wrong two-factor code").exists()


def test_code_that_is_not_six_numbers_is_refused_plainly(client, officer_a):
    TOTPDevice.objects.create(user=officer_a, name="Phone", confirmed=True)
    _password_only(client, officer_a)
    response = client.post("/two-factor", {"code": "12ab"})
    assert b"The code must be 6 numbers" in response.content


def test_code_copied_with_a_space_is_accepted(client, officer_a):
    device = TOTPDevice.objects.create(user=officer_a, name="Phone", confirmed=True)
    _password_only(client, officer_a)
    code = _code(device)
    response = client.post("/two-factor", {"code": f"{code[:3]} {code[3:]}"})
    assert response["Location"] == "/"


def test_officer_sets_up_an_authenticator_app(client, officer_a):
    _password_only(client, officer_a)
    page = client.get("/two-factor/set-up")
    assert page.status_code == 200
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=officer_a, confirmed=False)
    # The page reloads with the same secret until it is confirmed.
    client.get("/two-factor/set-up")
    assert TOTPDevice.objects.filter(user=officer_a).count() == 1

    response = client.post("/two-factor/set-up", {"code": _code(device)})
    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_set_up_is_refused_to_someone_with_only_the_password_once_a_device_exists(client, officer_a):
    TOTPDevice.objects.create(user=officer_a, name="Phone", confirmed=True)
    _password_only(client, officer_a)
    assert client.get("/two-factor/set-up")["Location"] == "/two-factor"
    assert not TOTPDevice.objects.filter(user=officer_a, confirmed=False).exists()


def test_partners_and_schools_do_not_need_two_factor(client, partner_a, school_user_a):
    _password_only(client, partner_a)
    assert client.get("/").status_code == 200
    assert client.get("/two-factor")["Location"] == "/"


@override_settings(CME_REQUIRE_2FA=False)
def test_demo_switches_two_factor_off(client, officer_a):
    response = client.post("/sign-in", {"username": "alice", "password": TEST_PASSWORD})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
