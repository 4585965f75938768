"""The register reacts to the child's record: a case waiting at "identified" is logged as soon as
the record is complete (stages.py), whichever page or import completed it."""

from django.dispatch import receiver

from cme.cases.register.models import Case, Stage
from cme.cases.register.services import case_log_if_complete
from cme.people.signals import child_record_changed


@receiver(child_record_changed)
def log_cases_of_completed_record(sender, *, actor, child_id: int, **kwargs) -> None:
    for case in Case.objects.filter(child_id=child_id, stage=Stage.IDENTIFIED):
        case_log_if_complete(actor=actor, case=case)
