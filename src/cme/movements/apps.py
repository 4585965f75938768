from django.apps import AppConfig


class Config(AppConfig):
    name = "cme.movements"
    label = "movements"
    verbose_name = "Movements and rolls"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cme.movements.selectors import provider_page_roll
        from cme.providers.hooks import add_provider_page_part

        add_provider_page_part(provider_page_roll)
