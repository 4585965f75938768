from django.urls import path

from cme.identify import views

app_name = "identify"
urlpatterns = [
    path("find-a-child", views.search, name="search"),
    path("referrals/<str:reference>/identify", views.referral_decide, name="referral-decide"),
    path("pupils-to-identify", views.to_identify, name="to-identify"),
    path("pupils-to-identify/<int:question_id>", views.identify, name="identify"),
]
