"""Every page needs a signed-in user, and LA staff must have passed two-factor sign-in.

Public pages opt out with Django's @login_not_required; the API authenticates by bearer token.
"""

import time

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.shortcuts import redirect

EXEMPT_PREFIXES = ("/api/", "/static/")


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(EXEMPT_PREFIXES):
            return None
        response = super().process_view(request, view_func, view_args, view_kwargs)
        if response is not None:
            return response
        if not getattr(view_func, "login_required", True):
            return None
        if getattr(view_func, "two_factor_exempt", False):
            return None
        user = request.user
        if settings.CME_REQUIRE_2FA and user.is_la_staff and not user.is_verified():
            return redirect("accounts:two-factor")
        return None


class SessionIdleMiddleware:
    """Keep a signed-in session alive while it is used, expiring it after SESSION_COOKIE_AGE idle.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) costs a database write per
    page; touching it once a minute keeps the idle rule to within a minute for a fraction of that.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty() and not session.modified:
            now = int(time.time())
            if now - session.get("_touched", 0) >= settings.SESSION_REFRESH_SECONDS:
                session["_touched"] = now
        return response
