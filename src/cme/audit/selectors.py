"""Reading the audit trail."""

from django.db.models import Q, QuerySet

from cme.audit import chain
from cme.audit.models import Action, AuditEvent, AuditEventChild

_VERIFY_FIELDS = ("id", "prev_hash", "hash", *chain.CHAINED_FIELDS)


def audit_verify(*, batch_size: int = 5000) -> tuple[int, list[tuple[int, str]]]:
    """Check the whole chain; returns (events checked, breaks found)."""
    def rows():
        last = 0
        while True:
            batch = list(
                AuditEvent.objects.filter(id__gt=last).order_by("id").values(*_VERIFY_FIELDS)[:batch_size]
            )
            if not batch:
                return
            yield from batch
            last = batch[-1]["id"]

    count = 0

    def counted():
        nonlocal count
        for row in rows():
            count += 1
            yield row

    problems = chain.find_breaks(counted())
    return count, problems


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
