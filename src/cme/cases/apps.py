from django.apps import AppConfig


class Config(AppConfig):
    name = "cme.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"
