from django.conf import settings


def service(request):
    user = getattr(request, "user", None)
    la = None
    if user is not None and user.is_authenticated and user.organisation_id:
        la = user.organisation if user.organisation.kind == "la" else user.organisation.la
    return {
        "service_name": "CME Tracker",
        "council_name": la.name if la else "",
        "require_2fa": settings.CME_REQUIRE_2FA,
    }
