"""The client's address: one rule for the audit trail, the public form's flood limit and sign-in
lock-out, so that all three name the same visitor, behind a proxy as without one.

Without a proxy it is the connection's address (REMOTE_ADDR). Behind reverse proxies, set
CME_CLIENT_IP_HEADER to the header they write (e.g. HTTP_X_FORWARDED_FOR) and
CME_TRUSTED_PROXIES to how many there are: each proxy appends the address it saw, so the
visitor's is that many entries from the right. Entries further left were written by the client
and are never believed. A header that is missing or holds no address gives the connection's
address (the proxy's), which at worst puts visitors under one limit rather than none.
"""

import ipaddress

from django.conf import settings
from django.utils.ipv6 import clean_ipv6_address


def _normal(value: str) -> str | None:
    value = value.strip()
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # As the database's address columns give it back (IPv6 compressed, lower case).
    return clean_ipv6_address(value) if address.version == 6 else str(address)


def client_address(request) -> str | None:
    """The visitor's address, normalised; None when not known (e.g. a Unix socket, no proxy)."""
    header = getattr(settings, "CME_CLIENT_IP_HEADER", "")
    if header:
        entries = [e for e in request.META.get(header, "").split(",") if e.strip()]
        trusted = max(1, int(getattr(settings, "CME_TRUSTED_PROXIES", 1)))
        if len(entries) >= trusted:
            found = _normal(entries[-trusted])
            if found:
                return found
    return _normal(request.META.get("REMOTE_ADDR") or "")


def ratelimit_address(request) -> str:
    """client_address for django-ratelimit (RATELIMIT_IP_META_KEY), which needs one always."""
    return client_address(request) or "0.0.0.0"  # noqa: S104 (a key, not a bind address)
