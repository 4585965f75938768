from django.urls import include, path

from cme.api.api import api

urlpatterns = [
    path("", include("cme.core.urls")),
    path("", include("cme.reports.urls")),
    path("", include("cme.accounts.urls")),
    path("", include("cme.intake.urls")),
    path("", include("cme.intake.screening_urls")),
    path("", include("cme.cases.urls")),
    path("", include("cme.cases.queues.urls")),
    path("", include("cme.people.urls")),
    path("", include("cme.attendance.urls")),
    path("", include("cme.identify.urls")),
    path("", include("cme.places.urls")),
    path("", include("cme.providers.urls")),
    path("", include("cme.movements.urls")),
    path("", include("cme.tracking.urls")),
    path("", include("cme.handoffs.urls")),
    path("api/v1/", api.urls),
]

handler403 = "cme.core.views.permission_denied"
handler404 = "cme.core.views.page_not_found"
handler500 = "cme.core.views.server_error"
