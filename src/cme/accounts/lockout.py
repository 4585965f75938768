"""Sign-in lock-out per account and per address (django-axes, AXES_HANDLER).

School and partner accounts sign in with a password alone, so guessing one must be stopped
however many addresses it comes from: an account is locked after AXES_FAILURE_LIMIT failures
from any addresses. One address guessing at many accounts is stopped too, after
CME_SIGNIN_ADDRESS_FAILURE_LIMIT failures on any accounts: a higher limit, because a council
office signs in from behind one address and its staff mistype passwords. Both last
AXES_COOLOFF_TIME. Addresses are decided by cme.core.client (AXES_CLIENT_IP_CALLABLE).
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def _failures(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LockoutHandler(AxesDatabaseHandler):
    """AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]: attempts are counted per account and
    per address, each against its own limit."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        by_account, by_address = self.get_user_attempts(request, credentials)
        failures = _failures(by_account)
        if _failures(by_address) >= settings.CME_SIGNIN_ADDRESS_FAILURE_LIMIT:
            # Axes compares one number with one limit: an address over its own limit is locked.
            failures = max(failures, get_failure_limit(request, credentials))
        return failures

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        # A successful sign-in clears the account's failures, not the address's: someone who
        # holds one account must not wipe the count of their guesses at the others.
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
