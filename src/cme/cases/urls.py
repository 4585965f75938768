from django.urls import path

from cme.cases import views

app_name = "cases"
urlpatterns = [
    path("cases", views.case_list_view, name="list"),
    path("cases/<int:case_id>", views.case_detail_view, name="detail"),
    path("cases/<int:case_id>/notes", views.case_note_view, name="note"),
    path("cases/<int:case_id>/stage", views.case_stage_view, name="stage"),
    path("cases/<int:case_id>/officer", views.case_assign_view, name="assign"),
    path("cases/<int:case_id>/close", views.case_close_view, name="close"),
    path("cases/<int:case_id>/reopen", views.case_reopen_view, name="reopen"),
]
