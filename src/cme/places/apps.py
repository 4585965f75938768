from django.apps import AppConfig


class Config(AppConfig):
    name = "cme.places"
    label = "places"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cme.places import receivers

        receivers.connect()
