from django.apps import AppConfig


class Config(AppConfig):
    name = "cme.identify"
    label = "identify"
    verbose_name = "Identify a child"

    def ready(self):
        from cme.identify import hooks

        hooks.connect()
