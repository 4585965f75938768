"""`cme api-token USERNAME` prints a token that works as that user; --revoke stops it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from cme.audit.models import AuditEvent


def run(*args) -> str:
    out = StringIO()
    call_command("api-token", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_printed_token_works_as_that_user(persona, case_a):
    token = run(persona.username, "--name", "Police RMS")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get("/api/v1/cases")
    assert response.status_code == 200
    expected = [case_a.pk] if persona.la_id == case_a.la_id else []
    assert [row["id"] for row in response.json()["items"]] == expected
    made = AuditEvent.objects.get(action="create", object_type="api_token")
    assert made.via == "cli" and made.detail["user"] == persona.username
    assert made.detail["name"] == "Police RMS"


def test_revoke_stops_the_token(officer_a):
    token = run("alice")
    prefix = token.split("_")[1]
    assert f"Revoked API token {prefix}" in run("alice", "--revoke", prefix)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/cases").status_code == 401


def test_unknown_user_or_prefix_is_a_clear_error(officer_a):
    with pytest.raises(CommandError, match="No user called zed"):
        run("zed")
    with pytest.raises(CommandError, match="no live API token starting nope"):
        run("alice", "--revoke", "nope")
