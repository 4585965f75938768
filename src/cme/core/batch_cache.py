"""One value built once for the signals of one batch (a roll's joiners arrive one signal each).

A receiver that needs the same costly thing for every item of a batch (the authority's leavers
and lost pupils, indexed for matching) builds it for the first item and keeps it until the
batch's last item has come; a new batch, or a call outside any batch, builds afresh. Kept per
thread (a batch's signals are sent in the thread that committed it) and per use, so two rooms'
receivers of one signal do not share a value.
"""

import threading
from collections.abc import Callable, Hashable
from typing import Any

_held = threading.local()


def for_batch[T](use: str, batch: Hashable | None, items: int, build: Callable[[], T]) -> T:
    """build() once per (use, batch), for `items` calls; with no batch, build() every call."""
    if batch is None:
        return build()
    store: dict[str, list[Any]] = _held.__dict__.setdefault("store", {})
    held = store.get(use)
    if held is None or held[0] != batch:
        held = store[use] = [batch, build(), items]
    held[2] -= 1
    if held[2] <= 0:
        del store[use]  # the batch's last item: let the value go
    return held[1]


_kept: dict[tuple[str, Hashable], tuple[Hashable, Any]] = {}
_kept_lock = threading.Lock()


def while_unchanged[T](use: str, key: Hashable, fingerprint: Hashable, build: Callable[[], T]) -> T:
    """The value last built for (use, key) while its fingerprint is the same, else build() anew.

    For what many requests and imports need and seldom changes (an authority's unreconciled
    leavers or lost pupils, indexed): the caller's fingerprint is a cheap query over what the
    value is made of (how many rows, which, when last changed), so a change to any of them
    builds afresh. One value per (use, key) per process.
    """
    with _kept_lock:
        held = _kept.get((use, key))
    if held is not None and held[0] == fingerprint:
        return held[1]
    value = build()
    with _kept_lock:
        _kept[(use, key)] = (fingerprint, value)
    return value
