"""The chain's newest end is checked too: deleting the last events is found by comparing the last
event with the chain head, and by a hash sealed outside the database (`cme audit seal`, then
`cme audit verify --expect HASH`). What is hashed is what is stored."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cme.audit.context import Origin, origin
from cme.audit.models import Action, AuditEvent, ChainHead
from cme.audit.selectors import audit_verify
from cme.audit.services import audit_record


def _events(user, n=4):
    for i in range(n):
        audit_record(actor=user, action=Action.VIEW, object_type="child", object_id=i)
    return list(AuditEvent.objects.order_by("id"))


def _delete(*events):
    with connection.cursor() as cursor:
        for event in events:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])


def _seal() -> str:
    out = StringIO()
    call_command("audit", "seal", stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_deleting_the_newest_event_is_found(officer_a):
    events = _events(officer_a)
    _delete(events[-1])
    count, problems = audit_verify()
    assert count == 3
    assert problems and "newest" in problems[0][1]


def test_deleting_the_two_newest_events_fails_the_command(officer_a):
    events = _events(officer_a)
    _delete(events[-1], events[-2])
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert f"event {events[-1].pk}" in err.getvalue()


def test_deleting_every_event_is_found(officer_a):
    events = _events(officer_a)
    _delete(*events)
    count, problems = audit_verify()
    assert count == 0 and problems


def test_an_empty_trail_with_no_head_is_intact(db):
    assert audit_verify() == (0, [])


def test_seal_prints_the_head_hash(officer_a):
    events = _events(officer_a)
    assert _seal() == events[-1].hash


def test_verify_against_a_sealed_hash_passes_while_the_chain_grows(officer_a):
    _events(officer_a)
    sealed = _seal()
    _events(officer_a, 2)
    out = StringIO()
    call_command("audit", "verify", "--expect", sealed, stdout=out)
    assert "intact" in out.getvalue()


def test_verify_against_a_sealed_hash_finds_events_deleted_with_the_head_rewritten(officer_a):
    """A database administrator who deletes the newest events and moves the head back is caught
    by the hash kept elsewhere."""
    events = _events(officer_a)
    sealed = _seal()
    _delete(events[-1])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_chainhead SET last_hash = %s, last_event_id = %s",
                       [events[-2].hash, events[-2].pk])
    assert audit_verify()[1] == []  # the chain alone cannot tell
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", "--expect", sealed, stdout=StringIO(), stderr=err)
    assert "sealed" in str(failure.value)


def test_verify_refuses_an_expected_value_that_is_not_a_hash(officer_a):
    _events(officer_a)
    with pytest.raises(CommandError, match="64 hexadecimal"):
        call_command("audit", "verify", "--expect", "nonsense", stdout=StringIO(), stderr=StringIO())


def test_seal_refuses_a_broken_chain(officer_a):
    events = _events(officer_a)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = 'x' WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError, match="broken"):
        call_command("audit", "seal", stdout=StringIO(), stderr=StringIO())


def test_the_head_names_the_last_event(officer_a):
    events = _events(officer_a)
    head = ChainHead.objects.get()
    assert (head.last_event_id, head.last_hash) == (events[-1].pk, events[-1].hash)


@pytest.mark.parametrize("address", [
    "2001:0DB8:0000:0000:0000:0000:0000:0001",
    "2001:db8:0:0:0:0:0:1",
    "::ffff:10.1.2.3",
])
def test_an_address_normalised_on_save_does_not_read_as_tampering(officer_a, address):
    with origin(Origin(ip_address=address, user_agent="test", via="web")):
        audit_record(actor=officer_a, action=Action.VIEW, object_type="child", object_id=1)
    assert audit_verify() == (1, [])


def test_values_stored_differently_from_given_do_not_read_as_tampering(officer_a):
    audit_record(actor=officer_a, action=Action.VIEW, object_type="child", object_id=7,
                 detail={1: ("a", "b"), "when": "x"}, summary="s" * 400)
    assert audit_verify() == (1, [])


def test_an_action_outside_the_list_is_refused(officer_a):
    with pytest.raises(ValueError, match="not an audit action"):
        audit_record(actor=officer_a, action="import-ish", object_type="child")
    assert not AuditEvent.objects.exists()


def test_every_action_written_by_the_code_is_an_action_value():
    """Imports wrote action="import", which was not on the list."""
    import re
    from pathlib import Path

    src = Path(__file__).resolve().parents[2]
    literal = re.compile(r"""action\s*=\s*["']([a-z_]+)["']""")
    found = set()
    for path in src.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "audit_record" in text:
            found |= set(literal.findall(text))
    assert found <= set(Action.values), found - set(Action.values)


def test_the_database_refuses_an_action_outside_the_list(officer_a):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(at=timezone.now(), action="bogus", object_type="child",
                                  prev_hash="0" * 64, hash="1" * 64)
