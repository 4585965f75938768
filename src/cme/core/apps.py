from django.apps import AppConfig


class Config(AppConfig):
    name = "cme.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cme.core import checks  # noqa: F401 - registers the deploy checks
