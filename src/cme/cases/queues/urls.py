from django.urls import path

from cme.cases.escalation import views as escalation
from cme.cases.queues import views

app_name = "work"
urlpatterns = [
    path("work", views.my_work_view, name="mine"),
    path("team", views.team_view, name="team"),
    path("team/cases/<int:case_id>/reassign", views.reassign_case_view, name="reassign-case"),
    path("team/officers/<int:officer_id>/reassign", views.reassign_all_view, name="reassign-all"),
    path("cases/<int:case_id>/tasks/new", views.task_new_view, name="task-new"),
    path("tasks/<int:task_id>/done", views.task_done_view, name="task-done"),
    path("cases/<int:case_id>/risk-of-harm", escalation.significant_harm_view, name="significant-harm"),
]
