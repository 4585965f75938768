from django.conf import settings

from cme.accounts.navigation import navigation_items


def service(request):
    user = getattr(request, "user", None)
    la = None
    signed_in = user is not None and user.is_authenticated
    if signed_in and user.organisation_id:
        la = user.organisation if user.organisation.kind == "la" else user.organisation.la
    return {
        "service_name": "CME Tracker",
        "council_name": la.name if la else "",
        "require_2fa": settings.CME_REQUIRE_2FA,
        # The header shows no links until sign-in is complete (two-factor included).
        "navigation": navigation_items(request) if signed_in and not _awaiting_2fa(user) else [],
        "signed_in_user": user if signed_in else None,
    }


def _awaiting_2fa(user) -> bool:
    is_verified = getattr(user, "is_verified", None)  # set by django-otp's middleware
    return settings.CME_REQUIRE_2FA and user.is_la_staff and not (is_verified and is_verified())
