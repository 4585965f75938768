"""API tokens: shown once, stored as a hash, refused when wrong, revoked or the user is inactive."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cme.accounts.models import ApiToken
from cme.accounts.tokens import api_token_authenticate, api_token_create, api_token_revoke
from cme.audit.models import AuditEvent


def test_token_is_shown_once_and_only_its_hash_is_stored(officer_a):
    token = api_token_create(user=officer_a, name="Police RMS")
    record = ApiToken.objects.get(user=officer_a)
    assert token.startswith(f"cme_{record.prefix}_")
    assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {record.prefix, record.token_hash, record.name}
    assert record.name == "Police RMS"


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_token_authenticates_as_its_user(persona):
    token = api_token_create(user=persona)
    assert api_token_authenticate(token) == persona


def test_two_tokens_of_one_user_work_independently(officer_a):
    first, second = api_token_create(user=officer_a), api_token_create(user=officer_a)
    assert first != second
    assert api_token_authenticate(first) == api_token_authenticate(second) == officer_a


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character of the secret wrong
    lambda t: t.replace("cme_", "xyz_", 1),
    lambda t: t.rsplit("_", 1)[0],  # no secret
    lambda t: "cme_00000000_" + t.split("_", 2)[2],  # someone else's prefix
    lambda t: "",
    lambda t: "garbage",
])
def test_wrong_or_malformed_token_is_refused(officer_a, mangle):
    token = api_token_create(user=officer_a)
    assert api_token_authenticate(mangle(token)) is None


def test_revoked_token_is_refused(officer_a):
    token = api_token_create(user=officer_a)
    prefix = token.split("_")[1]
    api_token_revoke(user=officer_a, prefix=prefix)
    assert api_token_authenticate(token) is None
    assert ApiToken.objects.get(prefix=prefix).revoked_at is not None


def test_revoking_a_token_the_user_does_not_have_is_refused(officer_a, officer_b):
    token = api_token_create(user=officer_a)
    prefix = token.split("_")[1]
    with pytest.raises(ValidationError) as e:
        api_token_revoke(user=officer_b, prefix=prefix)
    assert "prefix" in e.value.message_dict
    assert api_token_authenticate(token) == officer_a


def test_token_of_an_inactive_user_is_refused(officer_a):
    token = api_token_create(user=officer_a)
    officer_a.is_active = False
    officer_a.save()
    assert api_token_authenticate(token) is None
    with pytest.raises(ValidationError):
        api_token_create(user=officer_a)


def test_last_used_is_recorded_at_most_once_a_minute(officer_a):
    token = api_token_create(user=officer_a)
    api_token_authenticate(token)
    record = ApiToken.objects.get(user=officer_a)
    first_use = record.last_used_at
    assert first_use is not None
    api_token_authenticate(token)
    record.refresh_from_db()
    assert record.last_used_at == first_use
    ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    api_token_authenticate(token)
    record.refresh_from_db()
    assert timezone.now() - record.last_used_at < timedelta(seconds=10)


def test_making_and_revoking_a_token_is_audited_without_the_secret(officer_a):
    token = api_token_create(user=officer_a, name="RMS")
    prefix = token.split("_")[1]
    api_token_revoke(user=officer_a, prefix=prefix)
    events = list(AuditEvent.objects.filter(object_type="api_token", object_id=prefix).order_by("id"))
    assert [e.action for e in events] == ["create", "change"]
    assert events[0].la_id == officer_a.la_id
    assert events[0].detail["user"] == "alice"
    assert all(token.split("_", 2)[2] not in str(e.detail) + e.summary for e in events)
