"""A chain written before events could be anonymised (chain version 1, before audit/0004) still
verifies after the migration, with version 2 events appended to it and after a disposal run: the
version 1 events are kept as written, the later ones anonymised, and tampering with either
is still caught. The version 1 hash is written here as it was before the change, not through
cme.audit.chain, so that a change to version 1 hashing fails this test."""

import datetime as dt
import hashlib
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cme.audit import chain
from cme.audit.models import Action, AuditEvent
from cme.audit.selectors import audit_verify, chain_head
from cme.audit.services import audit_record
from cme.dataprotection.selectors import retention_schedule
from cme.dataprotection.services import retention_dispose

BEFORE = [("audit", "0003_action_known_and_refusals")]
# The fields version 1 hashed, and how: as cme.audit.chain had them before chain version 2.
V1_FIELDS = ("at", "actor_id", "actor_username", "actor_organisation", "actor_organisation_id", "action",
             "object_type", "object_id", "child_id", "la_id", "summary", "detail", "ip_address",
             "user_agent", "via")


def v1_hash(prev_hash: str, fields: dict) -> str:
    body = {name: (fields[name].isoformat(timespec="microseconds") if isinstance(fields[name], dt.datetime)
                   else fields[name]) for name in V1_FIELDS}
    payload = json.dumps([prev_hash, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def test_version_1_hashing_is_unchanged():
    fields = {name: None for name in V1_FIELDS} | {
        "at": dt.datetime(2026, 1, 2, 3, 4, 5, 6789, tzinfo=dt.UTC), "action": "view", "object_type": "child",
        "summary": "Viewed Ruby Hartley", "detail": {"q": "Ruby"}}
    assert chain.event_hash(chain.GENESIS, fields) == v1_hash(chain.GENESIS, fields)
    assert chain.event_hash(chain.GENESIS, fields | {"hash_version": 1}) == v1_hash(chain.GENESIS, fields)
    assert chain.event_hash(chain.GENESIS, fields | {"hash_version": 2, "salt": "ab"}) != v1_hash(chain.GENESIS, fields)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_a_chain_written_before_the_migration_verifies_after_it_and_after_a_disposal(la_a, officer_a):
    latest = [key for key in MigrationExecutor(connection).loader.graph.leaf_nodes() if key[0] == "audit"]
    executor = _migrate(BEFORE)
    try:
        old_apps = executor.loader.project_state(BEFORE).apps
        OldEvent, OldHead = old_apps.get_model("audit", "AuditEvent"), old_apps.get_model("audit", "ChainHead")
        assert "hash_version" not in {f.name for f in OldEvent._meta.get_fields()}
        prev = chain.GENESIS
        at = timezone.now() - dt.timedelta(days=365 * 10)
        for n in range(3):
            fields = {"at": at + dt.timedelta(minutes=n), "actor_id": officer_a.pk,
                      "actor_username": officer_a.username, "actor_organisation": la_a.name,
                      "actor_organisation_id": la_a.pk, "action": "view", "object_type": "child",
                      "object_id": str(n), "child_id": n, "la_id": la_a.pk, "summary": f"Viewed Child {n}",
                      "detail": {"n": n}, "ip_address": "192.0.2.1", "user_agent": "old", "via": "web"}
            event = OldEvent.objects.create(prev_hash=prev, hash=v1_hash(prev, fields), **fields)
            prev = event.hash
        OldHead.objects.update_or_create(pk=1, defaults={"last_hash": prev, "last_event_id": event.pk})
    finally:
        _migrate(latest)

    assert list(AuditEvent.objects.order_by().values_list("hash_version", "salt", "redacted_digest").distinct()) == [(1, "", "")]
    assert audit_verify(expect=prev) == (3, [])
    seal = prev

    # Events of today's version (3: version 2 hashed in two steps) appended after the version 1
    # ones; one of them old enough to anonymise.
    audit_record(actor=officer_a, action=Action.VIEW, object_type="child", object_id=9, summary="Viewed Jo Bloggs")
    assert AuditEvent.objects.order_by("-pk").first().hash_version == 3
    count, problems = audit_verify()
    assert (count, problems) == (4, [])

    outcomes = {o.record_type: o for o in retention_dispose(rules=retention_schedule(),
                                                            as_of=dt.date.today() + dt.timedelta(days=365 * 7),
                                                            apply=True)}
    # The version 1 events are kept as written (they cannot be blanked), the version 3 one is not.
    assert outcomes["audit_event"].kept_audit_events == 3 and outcomes["audit_event"].anonymised == 1
    assert AuditEvent.objects.filter(hash_version=1, summary__startswith="Viewed Child").count() == 3
    assert not AuditEvent.objects.filter(summary__contains="Jo Bloggs").exists()
    count, problems = audit_verify()
    assert problems == [] and count == 5
    assert chain_head()[1] != seal and audit_verify(expect=seal)[1] == []  # the sealed hash is still in it

    # Tampering with a version 1 event is still caught after the migration.
    first = AuditEvent.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["Viewed nobody", first.pk])
    assert [pk for pk, _ in audit_verify()[1]] == [first.pk]
