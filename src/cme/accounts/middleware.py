"""Every page needs a signed-in user, and LA staff must have passed two-factor sign-in.

Public pages opt out with Django's @login_not_required; the API authenticates by bearer token.
"""

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


def two_factor_exempt(view_func):
    """For the pages a user needs on the way through two-factor sign-in."""
    view_func.two_factor_exempt = True
    return view_func
