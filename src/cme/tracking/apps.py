from django.apps import AppConfig


class Config(AppConfig):
    """Track and reconcile movements (the guide's step 10): deletion and new-entry returns, every
    leaver found again or referred, and the off-rolling radar."""

    name = "cme.tracking"
    label = "tracking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cme.tracking import receivers  # noqa: F401 - connects the signals
