"""New pupils on a roll import are new entries too: each is matched like a new-entry return."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.dispatch import receiver

from cme.core.batch_cache import for_batch
from cme.movements.models import RollImport
from cme.movements.signals import leaver_recorded, new_entry_recorded
from cme.providers.models import Enrolment, Organisation
from cme.tracking.models import NewEntry, Source

log = logging.getLogger(__name__)


@receiver(new_entry_recorded)
def roll_joiner_is_a_new_entry(sender, *, provider_id, child_id, person, entry_date, source, record, **kwargs):
    from cme.tracking.services import match_pool, new_entry_record

    if sender is NewEntry or source != Source.ROLL:
        return  # what this room recorded itself (a return, or a joiner it has just recorded)
    # A roll that brings more joiners than an in-year import does (a new school year, a first
    # import after a gap) is left to the nightly reconciliation, which finds each leaver again
    # in one pass, rather than matched joiner by joiner here.
    if kwargs.get("joiners", 0) > getattr(settings, "CME_ROLL_JOINERS_MATCHED_MAX", 300):
        return
    provider = Organisation.objects.get(pk=provider_id)
    # The LA's leavers, open cases and home-education list, built once for all the roll's joiners.
    la_id = provider.la_id
    pool = None if la_id is None else for_batch(
        "tracking.match_pool", kwargs.get("batch"), kwargs.get("joiners", 1), lambda: match_pool(la_id=la_id))
    try:
        new_entry_record(actor=None, provider=provider, person=person, entry_date=entry_date, source=Source.ROLL,
                         child_id=child_id, enrolment=record if isinstance(record, Enrolment) else None,
                         pool=pool)
    except ValidationError as e:
        # The roll has committed already: a joiner that cannot be kept as a new entry (a date
        # in the future, no name) must not fail the import; the nightly reconciliation still
        # sees the pupil's enrolment.
        log.warning("roll joiner %s not kept as a new entry: %s", child_id, "; ".join(e.messages))


@receiver(leaver_recorded)
def roll_leaver_with_a_ground_is_a_deletion_return(sender, *, provider_id, child_id, leaving_date, ground,
                                                     destination, source, **kwargs):
    """A roll whose leaver rows give the leaving ground (docs/roll-csv.md) makes the school's
    deletion return: checked and flagged like one sent by the web form, the API or a CSV."""
    from cme.people.models import Child
    from cme.tracking.services import deletion_return_record

    if sender is not RollImport or source != Source.ROLL or not ground or child_id is None:
        return
    try:
        deletion_return_record(actor=None, provider=Organisation.objects.get(pk=provider_id),
                               child=Child.objects.get(pk=child_id), deleted_on=leaving_date, ground=ground,
                               destination=destination, source=Source.ROLL)
    except ValidationError as e:
        # The roll has committed already; the leaver is still reconciled nightly from its enrolment.
        log.warning("roll leaver %s not kept as a deletion return: %s", child_id, "; ".join(e.messages))
