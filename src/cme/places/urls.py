from django.urls import path

from cme.places import views

app_name = "places"
urlpatterns = [
    path("places", views.home, name="home"),
    path("cases/<int:case_id>/places", views.case_places, name="case"),
    path("placement-requests", views.requests_list, name="requests"),
    path("placement-requests/<int:request_id>", views.request_detail, name="request"),
    path("placement-requests/<int:request_id>/accept", views.request_accept, name="accept"),
    path("placement-requests/<int:request_id>/withdraw", views.request_withdraw, name="withdraw"),
    path("places/providers/<int:provider_id>", views.provider_places, name="provider"),
    path("places/alternative-provision", views.directory, name="directory"),
    path("places/providers/<int:provider_id>/directory", views.profile_edit, name="profile"),
    path("panels/new", views.panel_new, name="panel-new"),
    path("places/refusals", views.refusals, name="refusals"),
    path("panels", views.panels, name="panels"),
    path("panels/<int:panel_id>/meetings", views.meeting_new, name="meeting-new"),
    path("panels/meetings/<int:meeting_id>", views.meeting, name="meeting"),
    path("panels/meetings/<int:meeting_id>/items/<int:item_id>", views.item_decide, name="decide"),
    path("panels/meetings/<int:meeting_id>/minutes", views.minutes, name="minutes"),
]
