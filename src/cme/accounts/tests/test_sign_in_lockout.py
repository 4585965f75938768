"""Guessing passwords is throttled: after 5 failures the username is locked out (django-axes)."""

from django.conf import settings

from cme.audit.models import Action, AuditEvent
from cme.testing.factories import TEST_PASSWORD


def test_five_wrong_passwords_lock_the_user_out(client, officer_a):
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = [
        client.post("/sign-in", {"username": "alice", "password": f"guess {n}"}).status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]

    response = client.post("/sign-in", {"username": "alice", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert b"You have been locked out" in response.content
    assert b"15 minutes" in response.content
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).count() == 6


def test_lockout_of_one_user_leaves_another_alone(client, officer_a, manager_a):
    for n in range(5):
        client.post("/sign-in", {"username": "alice", "password": f"guess {n}"})
    response = client.post("/sign-in", {"username": "mary", "password": TEST_PASSWORD})
    assert response.status_code == 302
