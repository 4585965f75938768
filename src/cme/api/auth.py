"""Bearer-token authentication: the API then acts exactly as the token's user."""

from ninja.security import HttpBearer
from ninja.throttling import AuthRateThrottle

from cme.accounts.tokens import api_token_authenticate, token_prefix


class BearerToken(HttpBearer):
    # These attributes become the security scheme in the OpenAPI document.
    openapi_bearerFormat = "cme_<prefix>_<secret>"
    openapi_description = (
        "A token made with `cme api-token USERNAME`. It acts as that user: it sees what the user "
        "sees on the pages, and everything it reads or changes is audited under the user's name."
    )

    def authenticate(self, request, token: str):
        user = api_token_authenticate(token)
        if user is None:
            return None
        # Handlers and selectors read request.user, as the pages do.
        request.user = user
        return user


class TokenRateThrottle(AuthRateThrottle):
    """A limit per API token (not per user, so one runaway integration does not stop a person's
    other token; not per address, which a council's outbound proxy shares). The token's public
    prefix names it. A request without a valid token is refused (401) before any limit applies."""

    scope = "token"

    def get_cache_key(self, request) -> str:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        prefix = token_prefix(token) if scheme.lower() == "bearer" else None
        ident = f"token:{prefix}" if prefix else f"address:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
