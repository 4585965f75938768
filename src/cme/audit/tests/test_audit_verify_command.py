"""`cme audit verify` walks the chain: quiet success when intact, names the event when a row
was edited behind the application's back, and exits non-zero."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cme.audit.models import AuditEvent
from cme.audit.services import audit_record


@pytest.fixture
def events(officer_a):
    for n in range(4):
        audit_record(actor=officer_a, action="view", object_type="child", object_id=n, summary=f"Viewed {n}")
    return list(AuditEvent.objects.order_by("id"))


def test_intact_chain_verifies_and_says_how_many_events(events):
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "Checked 4 audit events." in out.getvalue()
    assert "intact" in out.getvalue()


def test_row_edited_in_the_database_fails_naming_the_event(events):
    edited = events[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["Nothing to see", edited.pk])
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", stdout=out, stderr=err)
    assert f"Event {edited.pk}: content does not match its hash" in err.getvalue()
    assert f"event {edited.pk}" in str(failure.value)
    assert "Checked 4 audit events." in out.getvalue()


def test_row_deleted_in_the_database_fails(events):
    removed = events[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [removed.pk])
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert f"Event {events[2].pk}: previous hash does not match" in err.getvalue()


def test_the_cme_command_exits_non_zero_on_a_broken_chain(events):
    from cme.cli import main

    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_username = 'mallory' WHERE id = %s", [events[0].pk])
    import sys

    argv = sys.argv
    sys.argv = ["cme", "audit", "verify"]
    try:
        with pytest.raises(SystemExit) as exit_:
            main()
    finally:
        sys.argv = argv
    assert exit_.value.code != 0
