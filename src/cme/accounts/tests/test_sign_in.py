"""Signing in with a username and password."""

import pytest

from cme.audit.models import Action, AuditEvent
from cme.testing.factories import TEST_PASSWORD


def test_sign_in_page_shows_the_form(client, db):
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert b"Sign in to CME Tracker" in response.content


def test_partner_signs_in_and_reaches_home(client, partner_a):
    response = client.post("/sign-in", {"username": "pat", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    event = AuditEvent.objects.get(action=Action.SIGN_IN)
    assert (event.actor_id, event.object_type, event.object_id) == (partner_a.pk, "user", str(partner_a.pk))


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_la_staff_go_on_to_two_factor_sign_in(client, persona):
    response = client.post("/sign-in", {"username": persona.username, "password": TEST_PASSWORD})
    assert response["Location"] == "/two-factor/set-up"
    assert AuditEvent.objects.filter(action=Action.SIGN_IN, actor_id=persona.pk).exists()


def test_wrong_password_is_refused_and_recorded(client, officer_a):
    response = client.post("/sign-in", {"username": "alice", "password": "wrong password"})
    assert response.status_code == 200
    assert b"Enter a correct username and password" in response.content
    assert b'href="#id_username"' in response.content  # the error summary links to the field
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert event.object_type == "user"
    assert event.object_id == str(officer_a.pk)
    assert event.la_id == officer_a.la_id
    assert event.actor_id is None


def test_empty_form_names_each_missing_field(client, db):
    response = client.post("/sign-in", {"username": "", "password": ""})
    assert b"Enter your username" in response.content
    assert b"Enter your password" in response.content


def test_sign_in_returns_to_the_page_asked_for(client, partner_a):
    response = client.post("/sign-in?next=/privacy", {"username": "pat", "password": TEST_PASSWORD})
    assert response["Location"] == "/privacy"


def test_sign_in_ignores_a_next_page_on_another_site(client, partner_a):
    response = client.post(
        "/sign-in?next=https://evil.example/", {"username": "pat", "password": TEST_PASSWORD}
    )
    assert response["Location"] == "/"


def test_pages_need_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in?next=/"
