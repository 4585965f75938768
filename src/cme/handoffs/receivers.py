"""Leavers with no known destination feed the lost-pupil store; every new entry is matched
against it (movements.signals)."""

from django.dispatch import receiver

from cme.movements.signals import leaver_recorded, new_entry_recorded


@receiver(leaver_recorded)
def leaver_with_no_destination_is_lost(sender, *, la_id, provider_id, child_id, leaving_date, destination,
                                       source, **kwargs):
    from cme.handoffs.services import lost_pupil_record

    if destination or child_id is None:
        return
    lost_pupil_record(la_id=la_id, child_id=child_id, provider_id=provider_id, leaving_date=leaving_date,
                      source=source)


@receiver(new_entry_recorded)
def new_entry_is_matched_against_lost_pupils(sender, *, la_id, provider_id, child_id, person, entry_date, source,
                                             **kwargs):
    from cme.handoffs.services import lost_pupils_match

    lost_pupils_match(la_id=la_id, person=person, trigger=source, provider_id=provider_id,
                      entry_date=entry_date, child_id=child_id)
