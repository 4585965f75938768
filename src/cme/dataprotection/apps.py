from django.apps import AppConfig


class Config(AppConfig):
    name = "cme.dataprotection"
    label = "dataprotection"
    default_auto_field = "django.db.models.BigAutoField"
