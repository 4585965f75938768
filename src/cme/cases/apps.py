from django.apps import AppConfig


class Config(AppConfig):
    name = "cme.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cme.cases.case_page import child_page_cases
        from cme.cases.escalation import receivers  # noqa: F401 - connects the signals
        from cme.cases.register import receivers as register_receivers  # noqa: F401
        from cme.people.hooks import add_child_page_part

        add_child_page_part(child_page_cases)
