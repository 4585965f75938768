"""What places listens to: a roll import recounts the provider's pupils by year group, and the
case clocks read the placement requests' events."""

from typing import Any


def _roll_changed(sender: Any, provider_id: int, **kwargs: Any) -> None:
    from cme.places.services import places_refresh_roll

    places_refresh_roll(provider_id=provider_id)


def connect() -> None:
    from cme.cases.queues.selectors import add_case_event_source
    from cme.places.selectors import placement_events
    from cme.providers.signals import roll_changed

    roll_changed.connect(_roll_changed, dispatch_uid="places_roll_changed")
    add_case_event_source(placement_events)
