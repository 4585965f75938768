from django.apps import AppConfig


class Config(AppConfig):
    """Hand-offs (issue 12): Common Transfer Files out and the authority's lost-pupil store,
    matched against every new entry."""

    name = "cme.handoffs"
    label = "handoffs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cme.handoffs import receivers  # connects the signals

        receivers.connect()
