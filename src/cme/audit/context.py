"""Where the current action comes from (address, browser, channel), for the audit trail.

Set once per request by middleware, per API call by the API's authentication, and by the CLI,
so that services need not be handed the request.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from cme.core.client import client_address


@dataclass(frozen=True)
class Origin:
    ip_address: str | None = None
    user_agent: str = ""
    via: str = "cli"


_origin: ContextVar[Origin] = ContextVar("audit_origin", default=Origin())  # noqa: B039 (frozen)


def current_origin() -> Origin:
    return _origin.get()


@contextmanager
def origin(value: Origin):
    token = _origin.set(value)
    try:
        yield
    finally:
        _origin.reset(token)


def origin_from_request(request, via: str = "web") -> Origin:
    return Origin(
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        via=via,
    )


class AuditOriginMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        via = "api" if request.path.startswith("/api/") else "web"
        with origin(origin_from_request(request, via)):
            return self.get_response(request)
