from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Fictional demo data (`cme demo-data`): two neighbouring authorities, rolls and cases."""

    name = "cme.demo"
    label = "demo"
    verbose_name = "Demo data"
