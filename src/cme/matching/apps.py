from django.apps import AppConfig


class Config(AppConfig):
    name = "cme.matching"
    label = "matching"
    verbose_name = "Identity matching"
