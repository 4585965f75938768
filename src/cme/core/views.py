import logging
import sys

from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError, connection
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


DATABASE_DOWN = ("The service cannot reach its database just now. Nothing you sent was saved: "
                 "try again in a minute.")


def database_unavailable(request) -> HttpResponse:
    """503 when the database cannot be reached (restarting, failing over, the network): said
    plainly, with Retry-After, and no page that needs the database to draw itself. The next
    request gets a fresh connection (CONN_HEALTH_CHECKS), so the service recovers by itself."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": DATABASE_DOWN}, status=503)
    else:
        response = HttpResponse(
            "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Sorry, the service is "
            "unavailable – CME Tracker</title></head><body><main><h1>Sorry, the service is unavailable</h1>"
            f"<p>{DATABASE_DOWN}</p></main></body></html>", status=503)
    response["Retry-After"] = "30"
    return response


def server_error(request):
    # Called while the exception is being handled: a database that cannot be reached is a
    # 503 that says so, not "a problem with the service".
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        logger.error("Database unavailable: %s", sys.exc_info()[1])
        return database_unavailable(request)
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
