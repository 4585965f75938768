"""What places listens to: a roll import recounts the provider's pupils by year group, and the
case clocks read the placement requests' events."""

from typing import Any


def _roll_changed(sender: Any, provider_id: int, **kwargs: Any) -> None:
    from cme.places.services import places_refresh_roll

    places_refresh_roll(provider_id=provider_id)


def connect() -> None:
    from cme.cases.casework.services import add_closure_check
    from cme.cases.queues.selectors import add_case_event_source
    from cme.places.selectors import placement_events
    from cme.providers.signals import roll_changed

    roll_changed.connect(_roll_changed, dispatch_uid="places_roll_changed")
    add_case_event_source(placement_events)
    add_closure_check(watch_still_running)


def watch_still_running(case, outcome: str) -> str:
    """A case closes as in provision only once attendance at the new provider has been watched
    for the school days the authority asks (issue 13, point 5)."""
    from cme.cases.models import Outcome
    from cme.places.models import ProvisionWatch, WatchState

    if outcome not in (Outcome.BACK_IN_SCHOOL, Outcome.ALTERNATIVE_PROVISION):
        return ""
    watch = ProvisionWatch.objects.filter(case=case).order_by("-starts_on", "-id").first()
    if watch is None or watch.state == WatchState.SETTLED:
        return ""
    if watch.state == WatchState.STOPPED:
        return (f"The child stopped attending {watch.provider.name}: find out why before closing the case")
    return (f"Attendance at {watch.provider.name} is watched for {watch.school_days} school days after the "
            f"start ({watch.days_attended} so far): close the case once the watch says the child is attending")
