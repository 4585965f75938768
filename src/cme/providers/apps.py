from django.apps import AppConfig


class Config(AppConfig):
    name = "cme.providers"
    label = "providers"
    default_auto_field = "django.db.models.BigAutoField"
