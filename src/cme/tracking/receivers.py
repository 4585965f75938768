"""Movements the rolls announce (cme.movements.signals), taken up here: a joiner at a roll import
is a new entry, matched against the LA's unreconciled leavers, CME cases and home-education list
like a returned one. Returns made here (web, API, CSV) are recorded by their own services, so only
the roll's announcements are taken up (and none is announced again)."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)


def roll_joiner(sender=None, *, la_id=None, provider_id=None, child_id=None, person=None,
                entry_date: dt.date | None = None, source: str = "", record=None, **kwargs) -> None:
    if source != "roll" or provider_id is None or entry_date is None:
        return
    from cme.people.models import Child
    from cme.providers.models import Enrolment, Organisation
    from cme.tracking.services import new_entry_record

    provider = Organisation.objects.filter(pk=provider_id).first()
    if provider is None or provider.la_id is None:
        return
    child = Child.objects.filter(pk=child_id).first() if child_id else None
    enrolment = record if isinstance(record, Enrolment) else None
    try:
        new_entry_record(actor=None, provider=provider, person=dict(person or {}), entry_date=entry_date,
                         source="roll", child=child, enrolment=enrolment, announce=False)
    except ValidationError as error:  # the roll has committed: its joiner is kept, the return is not
        logger.warning("Roll joiner at provider %s not recorded as a new entry: %s", provider_id, error)


def connect() -> None:
    from cme.movements.signals import new_entry_recorded

    new_entry_recorded.connect(roll_joiner, dispatch_uid="tracking-roll-joiner")
