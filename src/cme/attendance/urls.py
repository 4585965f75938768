from django.urls import path

from cme.attendance import views

app_name = "attendance"
urlpatterns = [
    path("attendance/registers/upload", views.register_upload, name="upload"),
    path("attendance/registers/uploads/<int:upload_id>", views.register_upload_status, name="upload-status"),
    path("attendance/term-dates", views.term_dates, name="term-dates"),
]
