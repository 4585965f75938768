from django.urls import path

from cme.handoffs import views

app_name = "handoffs"
urlpatterns = [
    path("handoffs/peer/cases", views.receive_case, name="peer-cases"),
    path("handoffs/peer/answers", views.receive_answer, name="peer-answers"),
    path("handoffs", views.handoffs, name="handoffs"),
    path("handoffs/send", views.handoff_send, name="send"),
    path("handoffs/incoming/<int:incoming_id>/answer", views.handoff_answer, name="answer"),
    path("lost-pupils", views.lost_pupils, name="lost"),
    path("lost-pupils/<int:lost_id>/ctf", views.lost_pupil_ctf, name="lost-ctf"),
    path("lost-pupils/matches/<int:match_id>/decision", views.lost_match_decide, name="lost-decide"),
]
