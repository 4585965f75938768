import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cme.core.decorators import two_factor_exempt

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 only when the database answers; load balancers and `make demo` poll this."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means unhealthy
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_not_required
@two_factor_exempt
@require_GET
def accessibility(request):
    return render(request, "core/accessibility.html")


@login_not_required
@two_factor_exempt
@require_GET
def privacy(request):
    return render(request, "core/privacy.html")


def page_not_found(request, exception=None):
    return render(request, "core/404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "core/403.html", status=403)


def server_error(request):
    # The layout reads the user and council from the database, which may be what failed.
    try:
        return render(request, "core/500.html", status=500)
    except Exception:
        logger.exception("Could not render the error page")
        return HttpResponse(
            "<!DOCTYPE html><html lang=\"en-GB\"><head><title>Sorry, there is a problem with the"
            " service – CME Tracker</title></head><body><h1>Sorry, there is a problem with the"
            " service</h1><p>Try again later.</p></body></html>",
            status=500,
        )
