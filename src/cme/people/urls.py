from django.urls import path

from cme.people import views

app_name = "people"
urlpatterns = [
    path("children", views.child_search_view, name="list"),
    path("pupils", views.pupils_view, name="pupils"),
    path("children/<int:child_id>", views.child_detail_view, name="detail"),
    path("children/<int:child_id>/history", views.child_history_view, name="history"),
    path("children/<int:child_id>/details", views.child_edit_view, name="edit"),
    path("children/<int:child_id>/flags/new", views.child_flag_add_view, name="flag-add"),
    path("children/<int:child_id>/addresses/new", views.child_address_add_view, name="address-add"),
    path("children/<int:child_id>/contacts/new", views.child_contact_add_view, name="contact-add"),
    path("children/<int:child_id>/names/new", views.child_name_add_view, name="name-add"),
]
