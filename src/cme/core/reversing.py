"""reverse(), remembered: a page asks for the same few URLs on every request (the navigation,
the header, a case's actions), and Django works each out afresh, which cost a case page about a
millisecond. The answer depends only on the URL patterns in use, the script prefix and the
arguments, so it is kept under all of them (a test that swaps ROOT_URLCONF gets its own)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_MAX = 20_000
_known: dict[tuple, str] = {}


def cached_reverse(name: str, args: tuple = (), kwargs: dict[str, Any] | None = None) -> str:
    try:
        key = (settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), name, args,
               tuple(sorted(kwargs.items())) if kwargs else ())
        hash(key)
    except TypeError:  # an argument that cannot be a key: work it out each time
        return reverse(name, args=args or None, kwargs=kwargs or None)
    found = _known.get(key)
    if found is None:
        found = reverse(name, args=args or None, kwargs=kwargs or None)
        if len(_known) >= _MAX:
            _known.clear()
        _known[key] = found
    return found
