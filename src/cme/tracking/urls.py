from django.urls import path

from cme.tracking import views

app_name = "tracking"
urlpatterns = [
    path("leavers", views.leavers, name="leavers"),
    path("leavers/radar", views.radar, name="radar"),
    path("leavers/<int:leaver_id>/match", views.leaver_match_decide, name="leaver-match"),
    path("deletion-returns", views.deletion_returns, name="returns"),
    path("deletion-returns/new", views.deletion_return_new, name="return-new"),
    path("deletion-returns/upload", views.deletion_returns_upload, name="returns-upload"),
    path("new-entries", views.new_entries, name="new-entries"),
    path("new-entries/<int:entry_id>/decision", views.new_entry_decide, name="new-entry-decide"),
]
