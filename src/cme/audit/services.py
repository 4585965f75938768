"""Writing to the audit trail. Call inside the transaction of the action being recorded."""

import functools
import ipaddress
import json
import secrets
from collections.abc import Iterable
from typing import Any, cast

from django.db import connection, models, transaction
from django.utils import timezone

from cme.audit import chain
from cme.audit.context import current_origin
from cme.audit.models import Action, AuditEvent, AuditEventChild, ChainHead

RELAXED_DURABILITY_ACTIONS = frozenset({Action.VIEW, Action.SEARCH})


def _text(value: str, name: str) -> str:
    # PostgreSQL refuses NUL in text; a column holds at most its max_length.
    field = cast(models.CharField, AuditEvent._meta.get_field(name))
    return value.replace("\x00", "\ufffd")[: field.max_length]


def _json(value: Any) -> Any:
    """The detail as the JSON column gives it back: keys as strings, tuples as lists, no NUL."""
    text = json.dumps(value, default=str).replace("\\u0000", "\\ufffd")
    return json.loads(text)


def _address(value: str | None) -> str | None:
    """The address as the column stores it (IPv6 compressed and lower case), None if not one."""
    if not value:
        return None
    try:
        ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    return AuditEvent._meta.get_field("ip_address").to_python(value.strip())


def _as_stored(fields: dict[str, Any]) -> dict[str, Any]:
    """Every value as the database will hold it, so the hash is of what is stored: a value the
    database normalises on save (an IPv6 address, a long summary) must not read as tampering."""
    stored = dict(fields)
    for name in ("actor_username", "actor_organisation", "object_type", "object_id", "summary",
                 "user_agent", "via"):
        stored[name] = _text(stored[name] or "", name)
    stored["detail"] = _json(stored["detail"] or {})
    stored["ip_address"] = _address(stored["ip_address"])
    return stored


def check_action(action: str) -> Action:
    try:
        return Action(action)
    except ValueError:
        raise ValueError(f"{action!r} is not an audit action: use one of cme.audit.models.Action") from None


def audit_record(
    *,
    actor,
    action: str,
    object_type: str,
    object_id: Any = "",
    child_id: int | None = None,
    la_id: int | None = None,
    summary: str = "",
    detail: dict | None = None,
    child_ids: Iterable[int] = (),
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction.

    child_ids: the children a search or export listed, so that "who viewed this child" finds it.
    """
    action = check_action(action)
    origin = current_origin()
    org = getattr(actor, "organisation", None) if actor is not None else None
    fields = {
        "at": timezone.now(),
        "actor_id": actor.pk if actor is not None else None,
        "actor_username": actor.get_username() if actor is not None else "",
        "actor_organisation": org.name if org else "",
        "actor_organisation_id": org.pk if org else None,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id) if object_id not in (None, "") else "",
        "child_id": child_id,
        "la_id": la_id,
        "summary": summary,
        "detail": detail or {},
        "ip_address": origin.ip_address,
        "user_agent": origin.user_agent,
        "via": origin.via,
    }
    fields = _as_stored(fields)
    fields["hash_version"] = 3
    fields["salt"] = secrets.token_hex(16)
    content = chain.content_digest(fields)  # before the chain's lock: it needs nothing of the chain
    named = sorted({int(c) for c in child_ids if c is not None} - {child_id})
    if (
        action in RELAXED_DURABILITY_ACTIONS
        and connection.vendor == "postgresql"
        # Only when the read's own transaction is the outermost one (a selector's atomic), or
        # there is none: never a transaction that may also carry a change. Nor inside a test's
        # transaction, which never commits (tests of the commit itself run without one).
        and len(connection.atomic_blocks) <= 1
        and not any(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)
    ):
        # A view or search is recorded once the read's transaction has committed, by the one
        # statement that appends it as a transaction of its own: the chain's lock is taken and
        # let go inside the database, not held while this thread waits its turn to send the
        # commit. Nor need it wait for its own disk flush: PostgreSQL still writes it in order,
        # and a crash can lose only the last fraction of a second of view records, never break
        # the chain (ADR 0007, ADR 0026).
        if connection.in_atomic_block:
            transaction.on_commit(lambda: _append_in_one_statement(fields, content, named, relaxed=True))
            return AuditEvent(prev_hash="", hash="", **fields)  # written when the read commits
        return _append_in_one_statement(fields, content, named, relaxed=True)
    # No savepoint: inside the caller's transaction (the rule) a failure here rolls that back
    # anyway, and a SAVEPOINT and RELEASE on every page view cost time for nothing.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            return _append_in_one_statement(fields, content, named)
        # Lock the head so that concurrent writers append one after another.
        table = connection.ops.quote_name(ChainHead._meta.db_table)
        lock = connection.ops.for_update_sql() if connection.features.has_select_for_update else ""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT last_hash FROM {table} WHERE id = 1 {lock}")  # noqa: S608
            row = cursor.fetchone()
        last_hash = row[0] if row else ChainHead.objects.create(pk=1, last_hash=chain.GENESIS).last_hash
        fields["hash"] = chain.link_hash(last_hash, content)
        event = _insert_event({**fields, "prev_hash": last_hash})
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET last_hash = %s, last_event_id = %s WHERE id = 1",  # noqa: S608
                           [event.hash, event.pk])
        if named:
            _name_children(event.pk, named)
    return event


def _name_children(event_id: int, named: list[int]) -> None:
    """One multi-row INSERT of the children an event named, as bulk_create would send, without
    building a model per child; in batches the database accepts (an export names thousands)."""
    meta = AuditEventChild._meta
    quote = connection.ops.quote_name
    cols = [cast(models.Field, meta.get_field(f)) for f in ("event", "child_id")]
    columns = ", ".join(quote(str(f.column)) for f in cols)
    size = max(1, connection.ops.bulk_batch_size(cols, named))
    with connection.cursor() as cursor:
        for start in range(0, len(named), size):
            batch = named[start:start + size]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608
                + ", ".join(["(%s, %s)"] * len(batch)),
                [v for c in batch for v in (event_id, c)],
            )


# PostgreSQL: lock the head, append the event hashed on the head's hash, name its children and
# move the head, in one statement (chain version 3, cme.audit.chain). Columns in this order.
_COLUMNS = ("at", "actor_id", "actor_username", "actor_organisation", "actor_organisation_id", "action",
            "object_type", "object_id", "child_id", "la_id", "summary", "detail", "ip_address", "user_agent",
            "via", "hash_version", "salt", "redacted_digest")


@functools.cache
def _append_sql(relaxed: bool) -> str:
    quote = connection.ops.quote_name
    event, head, child = (quote(m._meta.db_table) for m in (AuditEvent, ChainHead, AuditEventChild))
    columns = ", ".join(quote(str(cast(models.Field, AuditEvent._meta.get_field(name)).column)) for name in _COLUMNS)
    values = ", ".join("%s::jsonb" if name == "detail" else "%s::inet" if name == "ip_address" else "%s"
                       for name in _COLUMNS)
    # relaxed: this statement is its own transaction, a view's, whose commit need not wait for
    # the disk (set_config(..., true) is SET LOCAL, for the statement's own transaction).
    relax = "SELECT set_config('synchronous_commit', 'off', true) AS off" if relaxed else "SELECT 1 AS off"
    return (
        f"WITH relax AS ({relax}), "  # noqa: S608
        f"head AS (SELECT last_hash FROM {head}, relax WHERE id = 1 FOR UPDATE OF {head}), "
        f"ins AS (INSERT INTO {event} ({columns}, prev_hash, hash) "
        f"SELECT {values}, head.last_hash, "
        f"encode(sha256(convert_to(head.last_hash || ':' || %s, 'UTF8')), 'hex') FROM head "
        f"RETURNING id, prev_hash, hash), "
        f"kids AS (INSERT INTO {child} (event_id, child_id) SELECT ins.id, c FROM ins, unnest(%s::bigint[]) AS c) "
        f"UPDATE {head} SET last_hash = ins.hash, last_event_id = ins.id FROM ins WHERE {head}.id = 1 "
        f"RETURNING ins.id, ins.prev_hash, ins.hash"
    )


def _append_in_one_statement(fields: dict[str, Any], content: str, named: list[int], *,
                             relaxed: bool = False) -> AuditEvent:
    params = [json.dumps(fields["detail"]) if name == "detail" else fields.get(name, "") if name == "redacted_digest"
              else fields[name] for name in _COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(_append_sql(relaxed), [*params, content, named])
        row = cursor.fetchone()
        if row is None:  # no head yet: the chain's first event
            ChainHead.objects.get_or_create(pk=1, defaults={"last_hash": chain.GENESIS})
            cursor.execute(_append_sql(relaxed), [*params, content, named])
            row = cursor.fetchone()
    event = AuditEvent(id=row[0], prev_hash=row[1], hash=row[2], **fields)
    event._state.adding = False
    event._state.db = connection.alias
    return event


def _insert_event(fields: dict[str, Any]) -> AuditEvent:
    """INSERT the event as AuditEvent.objects.create would (every column, each value prepared by
    its field, defaults for the rest), written as SQL: every page view appends one, and building
    the INSERT through the ORM cost more than running it. Returns the event as create would."""
    event = AuditEvent(**fields)
    meta = AuditEvent._meta
    quote = connection.ops.quote_name
    pk = meta.pk
    columns = [f for f in meta.local_concrete_fields if f is not pk]
    values = [f.get_db_prep_save(f.pre_save(event, True), connection) for f in columns]
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(str(f.column)) for f in columns)})"  # noqa: S608
           f" VALUES ({', '.join(['%s'] * len(columns))})")
    returning = connection.features.can_return_columns_from_insert
    with connection.cursor() as cursor:
        cursor.execute(sql + (f" RETURNING {quote(str(pk.column))}" if returning else ""), values)
        row = cursor.fetchone() if returning else None
        event.pk = row[0] if row else connection.ops.last_insert_id(cursor, meta.db_table, str(pk.column))
    event._state.adding = False
    event._state.db = connection.alias
    return event


def audit_access_refused(*, actor, object_type: str, object_id: Any, owner, la_field: str = "la_id",
                         ) -> AuditEvent | None:
    """A refused attempt on a record outside the actor's scope (another authority's child, another
    school's pupil): who, what and when, as a security event that managers see when it repeats.

    `owner` is an unscoped queryset of the one record asked for; `la_field` names its authority
    in it. An id that names no record was refused nothing, and leaves no event. The event belongs
    to the record's authority and `detail` names the actor's, so the managers of both see it.
    Call it outside the door's own transaction, which the 404 that follows would roll back.
    """
    found = list(owner.values_list(la_field, flat=True)[:1])
    if not found:
        return None
    record_la_id = found[0]
    with transaction.atomic():
        return audit_record(
            actor=actor,
            action=Action.ACCESS_REFUSED,
            object_type=object_type,
            object_id=object_id,
            # No child_id: the actor was refused the child, so "who viewed this child" must not
            # list them.
            la_id=record_la_id,
            summary=f"Refused access to {object_type} {object_id}: outside the account's scope",
            detail={"actor_la_id": getattr(actor, "la_id", None), "record_la_id": record_la_id},
        )


def audit_anonymise(event_ids: Iterable[int]) -> tuple[list[int], list[int]]:
    """Blank what the given events said (summary, detail) at the end of a retention period,
    keeping the chain verifiable (cme.audit.chain, version 2). Returns (anonymised, kept): events
    written before version 2 cannot be blanked without breaking the chain, and are kept as they are.

    The caller must record the anonymised ids in a DISPOSE event's detail["anonymised_events"] in
    the same transaction: `cme audit verify` reports a redaction no disposal records.
    """
    ids = sorted(set(event_ids))
    done: list[int] = []
    kept: list[int] = []
    for start in range(0, len(ids), 500):
        rows = list(AuditEvent.objects.filter(pk__in=ids[start:start + 500], redacted_digest="")
                    .values("id", "hash_version", "salt", *chain.PERSONAL_FIELDS))
        for row in rows:
            if row["hash_version"] not in chain.REDACTABLE_VERSIONS:
                kept.append(row["id"])
                continue
            digest = chain.personal_digest(row["salt"], row)
            # The one change the application makes to an event: QuerySet.update on the plain
            # queryset class, as AppendOnlyQuerySet refuses it everywhere else.
            models.QuerySet.update(AuditEvent.objects.filter(pk=row["id"]), summary=chain.REDACTED_SUMMARY,
                                   detail={}, salt="", redacted_digest=digest)
            done.append(row["id"])
    return done, kept
