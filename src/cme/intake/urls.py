from django.urls import path

from cme.intake import views

app_name = "intake"
urlpatterns = [
    path("referrals", views.queue, name="queue"),
    path("referrals/new", views.officer_new, name="officer-new"),
    path("referrals/<str:reference>", views.detail, name="detail"),
    path("referrals/<str:reference>/triage", views.triage, name="triage"),
    path("refer", views.public_new, name="public-new"),
    path("refer/sent/<str:token>", views.sent, name="sent"),
    path("partner/referrals", views.mine, name="mine"),
    path("partner/referrals/new", views.partner_new, name="partner-new"),
]
