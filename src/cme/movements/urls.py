from django.urls import path

from cme.movements import views

app_name = "movements"
urlpatterns = [
    path("providers/<int:provider_id>/roll", views.roll, name="roll"),
    path("providers/<int:provider_id>/roll/upload", views.upload, name="upload"),
    path("roll-imports/<int:import_id>", views.import_report, name="import"),
]
