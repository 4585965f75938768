from django.urls import path

from cme.matching import views

app_name = "matching"
urlpatterns = [
    path("find-a-child", views.search, name="search"),
    path("referrals/<str:reference>/identify", views.referral_decide, name="referral-decide"),
]
