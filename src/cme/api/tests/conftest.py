"""api_for(user) -> a test client that sends a fresh bearer token acting as that user."""

from cme.testing.api import ApiClient, anonymous_api, api_for

__all__ = ["ApiClient", "anonymous_api", "api_for"]
