"""Business actions of matching: noting that an authority's index must be refreshed, and
forgetting old changes. (An officer's decision on a candidate, and training an authority's model
from its referrals, are cme.identify's.)"""

from collections.abc import Iterable

from django.db import transaction

from cme.matching.models import IndexChange, IndexState


class _Pending:
    """The versions this connection's open transaction has taken, per authority, and the
    children it has recorded: a roll import that saves 2,000 children bumps the version once."""

    def __init__(self):
        self.by_la: dict[int, tuple[int, set[int]]] = {}

    def __call__(self):
        pass  # registered with on_commit only to mark the transaction; nothing to do after it


_PENDING = "_cme_matching_pending"


def _pending() -> dict[int, tuple[int, set[int]]]:
    """This transaction's versions. Django drops on_commit callbacks when the transaction (or
    the savepoint they were registered in) ends, so a marker still listed means the same one."""
    connection = transaction.get_connection()
    marker = getattr(connection, _PENDING, None)
    if marker is None or not any(item[1] is marker for item in connection.run_on_commit):
        marker = _Pending()
        setattr(connection, _PENDING, marker)
        transaction.on_commit(marker)
    return marker.by_la


def index_version_read() -> None:
    """Called when this connection reads the version: a later change in the same transaction
    must take a new version, or the reader would not notice it."""
    setattr(transaction.get_connection(), _PENDING, None)


@transaction.atomic
def index_changed(*, la_id: int, child_ids: Iterable[int] = (), provider_id: int | None = None) -> int:
    """Note that these children (or a provider's whole roll) changed; returns the version.

    The state row is locked until the changing transaction commits, so versions are handed out
    in commit order and a process that has read version v has seen every change up to v.
    """
    pending = _pending()
    if la_id not in pending:
        state, _ = IndexState.objects.select_for_update().get_or_create(la_id=la_id)
        state.version += 1
        state.save(update_fields=["version"])
        pending[la_id] = (state.version, set())
    version, recorded = pending[la_id]
    new = [c for c in dict.fromkeys(child_ids) if c not in recorded]
    recorded.update(new)
    changes = [IndexChange(la_id=la_id, version=version, child_id=c) for c in new]
    if provider_id is not None:
        changes.append(IndexChange(la_id=la_id, version=version, provider_id=provider_id))
    if changes:
        IndexChange.objects.bulk_create(changes)
    return version


@transaction.atomic
def index_changes_prune(*, la_id: int, keep: int = 100_000) -> int:
    """Forget all but the last `keep` changes; a process holding an older index rebuilds it."""
    state, _ = IndexState.objects.select_for_update().get_or_create(la_id=la_id)
    through = state.version - keep
    if through <= state.pruned_through:
        return 0
    deleted, _ = IndexChange.objects.filter(la_id=la_id, version__lte=through).delete()
    state.pruned_through = through
    state.save(update_fields=["pruned_through"])
    return deleted
