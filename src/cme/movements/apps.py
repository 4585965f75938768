from django.apps import AppConfig


class Config(AppConfig):
    name = "cme.movements"
    label = "movements"
    verbose_name = "Movements and rolls"
    default_auto_field = "django.db.models.BigAutoField"
