from django.urls import path

from cme.intake import screening_views as views

app_name = "screening"
urlpatterns = [
    path("at-risk", views.at_risk_list_view, name="list"),
    path("at-risk/run", views.run_view, name="run"),
    path("at-risk/missing-registers", views.missing_registers_view, name="missing-registers"),
    path("at-risk/<int:finding_id>", views.finding_view, name="finding"),
]
