"""Signing out."""

from cme.audit.models import Action, AuditEvent


def test_sign_out_ends_the_session_and_is_recorded(client_for, officer_a):
    client = client_for(officer_a)
    assert client.get("/").status_code == 200
    response = client.post("/sign-out")
    assert response["Location"] == "/sign-in"
    assert "_auth_user_id" not in client.session
    assert client.get("/")["Location"] == "/sign-in?next=/"
    event = AuditEvent.objects.get(action=Action.SIGN_OUT)
    assert (event.actor_id, event.object_type) == (officer_a.pk, "user")


def test_signed_out_page_says_so(client_for, partner_a):
    client = client_for(partner_a)
    response = client.post("/sign-out", follow=True)
    assert b"You have signed out." in response.content


def test_sign_out_needs_a_post(client_for, officer_a):
    assert client_for(officer_a).get("/sign-out").status_code == 405
