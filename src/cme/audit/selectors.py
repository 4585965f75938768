"""Reading the audit trail."""

from cme.audit import chain
from cme.audit.models import Action, AuditEvent

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


def child_viewers(*, child_id: int, la_id: int):
    """Who has looked at a child: every view, search hit and export naming it."""
    return (
        AuditEvent.objects.filter(child_id=child_id, la_id=la_id)
        .filter(action__in=[Action.VIEW, Action.EXPORT, Action.SEARCH])
        .order_by("-id")
    )
