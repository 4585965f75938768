from django.apps import AppConfig


class Config(AppConfig):
    name = "cme.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
