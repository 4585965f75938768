"""Reading the audit trail."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from cme.audit import chain
from cme.audit.models import Action, AuditEvent, AuditEventChild, ChainHead

_VERIFY_FIELDS = ("id", "prev_hash", "hash", "hash_version", "salt", "redacted_digest", *chain.CHAINED_FIELDS)


def audit_verify(*, batch_size: int = 5000, expect: str | None = None) -> tuple[int, list[tuple[Any, str]]]:
    """Check the whole chain; returns (events checked, breaks found): each break names the event's
    id, or the sealed hash when that is what is missing.

    The walk finds events edited, removed or inserted inside the chain. The newest end is checked
    against the chain head, read before the walk so that events appended meanwhile are not taken
    for tampering: the event the head names must be there, with the head's hash (deleting the
    last events leaves a head naming an event no longer there). `expect` is a hash sealed earlier
    and kept outside the database (`cme audit seal`): it must still be in the chain, which catches
    the newest events deleted with the head moved back to match.
    """
    head = ChainHead.objects.filter(pk=1).values_list("last_event_id", "last_hash").first()
    count = 0
    last: tuple[int, str] | None = None
    head_found = False
    expected = expect is None or expect == chain.GENESIS

    def rows():
        nonlocal count, last, head_found, expected
        after = 0
        while True:
            batch = list(
                AuditEvent.objects.filter(id__gt=after).order_by("id").values(*_VERIFY_FIELDS)[:batch_size]
            )
            if not batch:
                return
            for row in batch:
                count += 1
                last = (row["id"], row["hash"])
                head_found = head_found or last == head
                expected = expected or row["hash"] == expect
                yield row
            after = batch[-1]["id"]

    problems = chain.find_breaks(rows())
    problems += chain.head_problems(last=last, head=head, head_found=head_found)
    if not expected:
        problems.append((expect, "the sealed hash is not in the chain: events up to the sealed "
                                 "one were removed, or the chain was rewritten"))
    return count, problems


def chain_head() -> tuple[int, str]:
    """(id, hash) of the newest event: what `cme audit seal` prints to keep elsewhere."""
    head = ChainHead.objects.filter(pk=1).values_list("last_event_id", "last_hash").first()
    return head or (0, chain.GENESIS)


VIEWING_ACTIONS = (Action.VIEW, Action.EXPORT, Action.SEARCH)


def child_viewers(*, child_id: int, la_id: int) -> QuerySet[AuditEvent]:
    """Who has looked at a child: every view of it (or of its cases and referrals), every search
    or export whose results named it. Newest first."""
    named_in = AuditEventChild.objects.filter(child_id=child_id).values("event_id")
    return (
        AuditEvent.objects.filter(la_id=la_id, action__in=VIEWING_ACTIONS)
        .filter(Q(child_id=child_id) | Q(pk__in=named_in))
        .select_related("actor")
        .order_by("-id")
    )


@dataclass(frozen=True)
class RefusedAttempts:
    """One person's refused attempts on records outside their scope, within the period."""

    actor_username: str
    actor_name: str
    actor_organisation: str
    count: int
    first_at: datetime
    last_at: datetime
    records: list[str]  # what they asked for, newest first (another authority's ids withheld)

    @property
    def repeated(self) -> bool:
        return self.count > 1


def refused_attempts(*, la_id: int, days: int = 30, limit: int = 5000) -> list[RefusedAttempts]:
    """Who was refused records outside their scope in the last `days`: attempts on this
    authority's records, and attempts by this authority's own people on anyone's. Most first.

    The ids of another authority's records are not shown: the 404 did not reveal them either."""
    since = timezone.now() - timedelta(days=days)
    events = list(
        AuditEvent.objects.filter(action=Action.ACCESS_REFUSED, at__gte=since)
        .filter(Q(la_id=la_id) | Q(detail__actor_la_id=la_id))
        .select_related("actor")
        .order_by("-id")[:limit]
    )
    by_actor: dict[tuple, list[AuditEvent]] = defaultdict(list)
    for e in events:
        by_actor[(e.actor_id, e.actor_username, e.actor_organisation)].append(e)
    rows = []
    for (_, username, organisation), found in by_actor.items():
        actor = found[0].actor
        records = []
        for e in found:
            what = f"{e.object_type.replace('_', ' ')} {e.object_id}" if e.la_id == la_id else (
                f"{e.object_type.replace('_', ' ')} of another authority")
            if what not in records:
                records.append(what)
        rows.append(RefusedAttempts(
            actor_username=username or "Not signed in",
            actor_name=actor.get_full_name() if actor is not None else "",
            actor_organisation=organisation,
            count=len(found),
            first_at=found[-1].at,
            last_at=found[0].at,
            records=records,
        ))
    return sorted(rows, key=lambda r: (-r.count, -r.last_at.timestamp()))
