from django.urls import path

from cme.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("children/<int:child_id>/viewers", views.child_viewers_view, name="child-viewers"),
    path("children/<int:child_id>/subject-access", views.subject_access_view, name="subject-access"),
    path("audit/refused", views.refused_attempts_view, name="refused"),
    path("management", views.manage_view, name="manage"),
    path("management/rules-and-clocks", views.rules_view, name="rules"),
    path("management/dashboard", views.dashboard_view, name="dashboard"),
    path("management/dashboard/children", views.dashboard_children_view, name="dashboard-children"),
    path("management/pace", views.pace_view, name="pace"),
    path("management/self-evaluation", views.self_evaluation_view, name="self-evaluation"),
    path("management/returns", views.returns_view, name="returns"),
    path("management/panel-pack", views.panel_pack_view, name="panel-pack"),
    path("management/pace/children", views.pace_children_view, name="pace-children"),
]
