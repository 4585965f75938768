from django.urls import path

from cme.providers import views

app_name = "providers"
urlpatterns = [
    path("providers", views.provider_list, name="list"),
    path("providers/<int:provider_id>", views.provider_detail, name="detail"),
    path("la-contacts", views.la_contact_list, name="la-contacts"),
    path("la-contacts/<int:organisation_id>", views.la_contact_edit, name="la-contact-edit"),
]
