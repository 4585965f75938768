from django.urls import path

from cme.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
]
