from django.apps import AppConfig


class Config(AppConfig):
    name = "cme.attendance"
    label = "attendance"
    verbose_name = "Attendance"
    default_auto_field = "django.db.models.BigAutoField"
