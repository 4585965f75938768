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


def test_an_account_is_locked_after_failures_from_many_addresses(client, officer_a):
    """Password-only accounts can be tried from many addresses: the account itself locks."""
    for n in range(5):
        client.post("/sign-in", {"username": "alice", "password": f"guess {n}"}, REMOTE_ADDR=f"192.0.2.{n + 1}")
    response = client.post("/sign-in", {"username": "alice", "password": TEST_PASSWORD}, REMOTE_ADDR="192.0.2.99")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_an_address_trying_many_accounts_is_locked(client, la_a, settings):
    """One address guessing at many accounts is stopped too, at a higher limit, so that one
    office's mistyped passwords do not lock everyone behind its address."""
    from cme.accounts.models import Role
    from cme.testing import factories as f

    settings.CME_SIGNIN_ADDRESS_FAILURE_LIMIT = 8
    users = [f.make_user(la_a, Role.CME_OFFICER, username=f"user{n}") for n in range(9)]
    statuses = [client.post("/sign-in", {"username": u.username, "password": "wrong"}).status_code
                for u in users[:8]]
    assert statuses[:7] == [200] * 7 and statuses[7] == 429
    response = client.post("/sign-in", {"username": users[8].username, "password": TEST_PASSWORD})
    assert response.status_code == 429
    # From another address the account is not locked: it was never tried.
    response = client.post("/sign-in", {"username": users[8].username, "password": TEST_PASSWORD},
                           REMOTE_ADDR="192.0.2.50")
    assert response.status_code == 302


def test_signing_in_clears_the_accounts_failures_not_the_addresss(client, la_a, settings):
    """An attacker who holds one account must not wipe the count of their guesses at others."""
    from cme.accounts.models import Role
    from cme.testing import factories as f

    settings.CME_SIGNIN_ADDRESS_FAILURE_LIMIT = 6
    mine = f.make_user(la_a, Role.CME_OFFICER, username="mine")
    others = [f.make_user(la_a, Role.CME_OFFICER, username=f"other{n}") for n in range(6)]
    for u in others[:5]:
        client.post("/sign-in", {"username": u.username, "password": "wrong"})
    assert client.post("/sign-in", {"username": "mine", "password": TEST_PASSWORD}).status_code == 302
    client.post("/sign-out")
    assert client.post("/sign-in", {"username": others[5].username, "password": "wrong"}).status_code == 429
    assert mine.pk
