from django.urls import path

from cme.audit import views

app_name = "audit"
urlpatterns = [
    path("children/<int:child_id>/viewers", views.child_viewers_view, name="child-viewers"),
    path("audit/refused", views.refused_attempts_view, name="refused"),
]
