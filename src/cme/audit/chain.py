"""The hash chain over audit events: each event's hash covers its content and the previous hash.

Pure functions, so `cme audit verify` and the writer agree on one definition.

Two versions. Version 1 (events written before retention existed) hashes every field as it is.
Version 2 hashes what may name a child (the summary and the detail) through a digest salted with
a random value kept on the event: when the child's record is disposed of after its retention
period, those two fields and the salt are blanked and the digest is kept in their place, so the
chain still verifies while nothing about the child is left to read or to guess (without the salt
a name cannot be tried against the digest). A blanked event must read exactly as a redaction
does, so redacting can remove what an event said but never change it.

Version 3 hashes as version 2 does, in two steps: the event's content (everything but the previous
hash) to a digest, then the previous hash and that digest together, as text "prev:digest". The
first step needs nothing from the chain, so the writer does it before it takes the chain's lock;
the second is simple enough for PostgreSQL to do in the one statement that locks the head, appends
the event and moves the head: the lock, which every page view takes, is held for one statement
and the commit, not for the writer's own work between them (which, among many threads, waits
its turn for the interpreter).
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


# The fields that may name a child, hashed apart in version 2 so that they can be redacted.
PERSONAL_FIELDS = ("summary", "detail")
REDACTED_SUMMARY = "[anonymised: past its retention period]"


def personal_digest(salt: str, fields: Mapping[str, Any]) -> str:
    payload = json.dumps([salt, *(fields.get(name) for name in PERSONAL_FIELDS)], sort_keys=True,
                         separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def content_digest(fields: Mapping[str, Any]) -> str:
    """Version 3's first step: the event's content, with what may name a child through its
    salted digest (or the digest kept when it was redacted)."""
    body = {name: _normal(fields.get(name)) for name in CHAINED_FIELDS if name not in PERSONAL_FIELDS}
    digest = fields.get("redacted_digest") or personal_digest(fields.get("salt") or "", fields)
    payload = json.dumps([3, body, digest], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def link_hash(prev_hash: str, content: str) -> str:
    """Version 3's second step; PostgreSQL's sha256(convert_to(prev || ':' || content, 'UTF8'))."""
    return hashlib.sha256(f"{prev_hash}:{content}".encode()).hexdigest()


def event_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    if (fields.get("hash_version") or 1) == 3:
        return link_hash(prev_hash, content_digest(fields))
    if (fields.get("hash_version") or 1) == 1:
        body = {name: _normal(fields.get(name)) for name in CHAINED_FIELDS}
        payload = json.dumps([prev_hash, body], sort_keys=True, separators=(",", ":"), default=str)
    else:
        body = {name: _normal(fields.get(name)) for name in CHAINED_FIELDS if name not in PERSONAL_FIELDS}
        digest = fields.get("redacted_digest") or personal_digest(fields.get("salt") or "", fields)
        payload = json.dumps([prev_hash, 2, body, digest], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def is_redacted_as_it_should_be(fields: Mapping[str, Any]) -> bool:
    """A redacted event keeps nothing of what it said: no salt, the fixed summary, no detail."""
    return (fields.get("summary") == REDACTED_SUMMARY and fields.get("detail") in ({}, None)
            and not fields.get("salt") and (fields.get("hash_version") or 1) in REDACTABLE_VERSIONS)


# The versions whose personal fields can be blanked with the chain still verifying.
REDACTABLE_VERSIONS = (2, 3)


def find_breaks(events: Iterable[Mapping[str, Any]]) -> list[tuple[Any, str]]:
    """Walk events in chain order; return (event id, what is wrong) for every break found.

    An event redacted after its retention period must be named by a disposal event (action
    "dispose": the chained record of the redaction, `detail["anonymised_events"]`): a redaction no disposal
    recorded is reported, so even blanking is not possible behind the application's back."""
    problems: list[tuple[Any, str]] = []
    expected_prev = GENESIS
    redacted: list[Any] = []
    recorded: set[Any] = set()
    for event in events:
        if event["prev_hash"] != expected_prev:
            problems.append((event["id"], "previous hash does not match: an event was removed or inserted"))
        if event.get("redacted_digest"):
            if not is_redacted_as_it_should_be(event):
                problems.append((event["id"], "content does not match its hash: a redacted event was edited"))
            redacted.append(event["id"])
        if event_hash(event["prev_hash"], event) != event["hash"]:
            problems.append((event["id"], "content does not match its hash: the event was edited"))
        elif (event.get("action") == "dispose" and isinstance(event.get("detail"), dict)
              and event["detail"].get("anonymised_events")):
            recorded.update(event["detail"]["anonymised_events"])
        expected_prev = event["hash"]
    problems += [(i, "the event was anonymised, but no disposal in the chain records it") for i in redacted
                 if i not in recorded]
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
