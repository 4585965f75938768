from django.urls import path

from cme.providers import views

app_name = "providers"
urlpatterns = [
    path("providers", views.provider_list, name="list"),
    path("providers/<int:provider_id>", views.provider_detail, name="detail"),
]
