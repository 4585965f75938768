import hashlib
import time

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from cme.audit import chain
from cme.audit.models import Action, AuditEvent, ChainHead
from cme.audit.selectors import audit_verify
from cme.audit.services import audit_record


def _three_events(user):
    for n in range(3):
        audit_record(actor=user, action="view", object_type="child", object_id=n)


def test_untouched_chain_verifies(officer_a):
    _three_events(officer_a)
    count, problems = audit_verify()
    assert count == 3 and problems == []


def test_row_edited_in_database_breaks_the_chain(officer_a):
    _three_events(officer_a)
    middle = AuditEvent.objects.order_by("id")[1]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_username = %s WHERE id = %s", ["mallory", middle.pk])
    _, problems = audit_verify()
    assert [pk for pk, _ in problems] == [middle.pk]


def test_row_deleted_in_database_breaks_the_chain(officer_a):
    _three_events(officer_a)
    middle = AuditEvent.objects.order_by("id")[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [middle.pk])
    _, problems = audit_verify()
    assert problems and "removed" in problems[0][1]


def test_application_cannot_change_or_delete_events(officer_a):
    _three_events(officer_a)
    event = AuditEvent.objects.first()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(summary="x")


def test_children_named_by_a_long_list_are_all_indexed(officer_a):
    # More children than SQLite takes parameters in one statement: written in batches.
    ids = list(range(1, 20_001))
    event = audit_record(actor=officer_a, action="export", object_type="case", child_ids=[*ids, None, 7],
                         child_id=5)
    assert sorted(event.children.values_list("child_id", flat=True)) == [i for i in ids if i != 5]
    head = ChainHead.objects.get(pk=1)
    assert (head.last_event_id, head.last_hash) == (event.pk, event.hash)
    assert audit_verify() == (1, [])


def test_only_a_disposal_event_can_account_for_an_anonymised_event(officer_a):
    from cme.audit import chain
    from cme.audit.services import audit_anonymise

    target = audit_record(actor=officer_a, action="view", object_type="child", object_id=1, summary="Viewed Ruby")
    assert audit_anonymise([target.pk]) == ([target.pk], [])
    # An ordinary event whose detail happens to list the id does not record the redaction.
    audit_record(actor=officer_a, action="view", object_type="child", detail={"anonymised_events": [target.pk]})
    problems = audit_verify()[1]
    assert [pk for pk, _ in problems] == [target.pk] and "no disposal" in problems[0][1]
    audit_record(actor=None, action="dispose", object_type="audit_event", detail={"anonymised_events": [target.pk]})
    assert audit_verify()[1] == []
    assert AuditEvent.objects.get(pk=target.pk).summary == chain.REDACTED_SUMMARY


@pytest.mark.django_db(transaction=True)
def test_many_writers_at_once_append_one_unbroken_chain():
    """Page views append at once from many threads (each its own connection and transaction):
    one chain, every event linked to the one before, the head on the newest, each event's
    children named."""
    import threading

    from django.db import connection, transaction

    from cme.audit.models import AuditEventChild
    from cme.audit.selectors import audit_verify, chain_head

    failures = []

    def write(n):
        try:
            for i in range(10):
                for attempt in range(50):  # SQLite allows one writer at a time: wait a turn
                    try:
                        with transaction.atomic():
                            audit_record(actor=None, action=Action.VIEW, object_type="case",
                                         object_id=f"{n}-{i}", child_ids=[n + 1, 100 + i])
                        break
                    except OperationalError as e:
                        if "locked" not in str(e) or attempt == 49:
                            raise
                        time.sleep(0.01)
        except Exception as e:  # reported below: a thread's failure must fail the test
            failures.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert audit_verify() == (80, [])
    newest = AuditEvent.objects.order_by("-id").first()
    assert chain_head()[1] == newest.hash
    assert sorted(AuditEvent.objects.values_list("prev_hash", flat=True)) == sorted(
        [chain.GENESIS, *AuditEvent.objects.exclude(pk=newest.pk).values_list("hash", flat=True)])
    assert AuditEventChild.objects.count() == 160


def test_version_3_is_version_2_in_two_steps_with_the_same_redaction():
    fields = {"at": timezone.now(), "action": "view", "object_type": "child", "summary": "Viewed Ruby Hartley",
              "detail": {"q": "Ruby"}, "salt": "ab", "hash_version": 3}
    content = chain.content_digest(fields)
    assert chain.event_hash("f" * 64, fields) == hashlib.sha256(f"{'f' * 64}:{content}".encode()).hexdigest()
    redacted = fields | {"summary": chain.REDACTED_SUMMARY, "detail": {}, "salt": "",
                         "redacted_digest": chain.personal_digest("ab", fields)}
    assert chain.event_hash("f" * 64, redacted) == chain.event_hash("f" * 64, fields)
    assert chain.event_hash("f" * 64, fields | {"summary": "Viewed someone else"}) != chain.event_hash("f" * 64, fields)
