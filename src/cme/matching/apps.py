from django.apps import AppConfig


class Config(AppConfig):
    name = "cme.matching"
    label = "matching"
    verbose_name = "Identity matching"

    def ready(self):
        from cme.matching import receivers

        receivers.connect()
