"""The hash chain over audit events: each event's hash covers its content and the previous hash.

Pure functions, so `cme audit verify` and the writer agree on one definition.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

GENESIS = "0" * 64

CHAINED_FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "actor_organisation",
    "actor_organisation_id",
    "action",
    "object_type",
    "object_id",
    "child_id",
    "la_id",
    "summary",
    "detail",
    "ip_address",
    "user_agent",
    "via",
)


def _normal(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return value


def event_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    body = {name: _normal(fields.get(name)) for name in CHAINED_FIELDS}
    payload = json.dumps([prev_hash, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def find_breaks(events: Iterable[Mapping[str, Any]]) -> list[tuple[Any, str]]:
    """Walk events in chain order; return (event id, what is wrong) for every break found."""
    problems: list[tuple[Any, str]] = []
    expected_prev = GENESIS
    for event in events:
        if event["prev_hash"] != expected_prev:
            problems.append((event["id"], "previous hash does not match: an event was removed or inserted"))
        if event_hash(event["prev_hash"], event) != event["hash"]:
            problems.append((event["id"], "content does not match its hash: the event was edited"))
        expected_prev = event["hash"]
    return problems


def head_problems(*, last: tuple[Any, str] | None, head: tuple[Any, str] | None,
                  head_found: bool) -> list[tuple[Any, str]]:
    """Compare the chain head (id, hash of the newest event when it was read) with the events:
    every append moves the head, so the event it names must be there with that hash. Events after
    it were appended since (and are chained to it). `last` is the newest event walked."""
    if head is None or head[1] == GENESIS:
        return [(last[0], "the chain head is missing")] if last is not None and head is None else []
    if head_found:
        return []
    if last is None:
        return [(head[0], f"the newest events were removed: the chain head names event {head[0]}, "
                          "and no event is left")]
    return [(head[0], f"the chain head names event {head[0]}, but the last event is {last[0]}: "
                      "the newest events were removed (or the head was changed behind the application's back)")]
