"""Bearer-token authentication: the API then acts exactly as the token's user."""

from ninja.security import HttpBearer

from cme.accounts.tokens import api_token_authenticate


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
