from django.urls import path

from cme.handoffs import views

urlpatterns = [
    path("handoffs/peer/cases", views.receive_case, name="handoff-peer-cases"),
    path("handoffs/peer/answers", views.receive_answer, name="handoff-peer-answers"),
]
