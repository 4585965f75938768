"""Keep every process's matching index fresh: any change to a child, their names, addresses or
enrolments, and every roll import, bumps the authority's index version (see adapter.py).

Signals rather than calls in each service: children change through many services (register,
triage, roll and CTF imports, the admin), and a missed call would leave an index silently stale.
"""

import logging

from django.db.models.signals import post_delete, post_save

log = logging.getLogger(__name__)


def _la_of_child(child_id) -> int | None:
    from cme.people.models import Child

    return Child.objects.filter(pk=child_id).values_list("la_id", flat=True).first()


def child_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return  # loading fixtures: the index is built from scratch anyway
    from cme.matching.services import index_changed

    index_changed(la_id=instance.la_id, child_ids=[instance.pk])


def child_detail_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from cme.matching.services import index_changed

    la_id = _la_of_child(instance.child_id)
    if la_id is not None:
        index_changed(la_id=la_id, child_ids=[instance.child_id])


def roll_changed(sender=None, provider_id=None, **kwargs):
    """A roll import replaced a provider's roll (sent once it has committed)."""
    from cme.matching.services import index_changed
    from cme.providers.models import Enrolment, Organisation

    if provider_id is None:
        return
    las = set(
        Enrolment.objects.filter(provider_id=provider_id).values_list("child__la_id", flat=True).distinct()
    )
    own = Organisation.objects.filter(pk=provider_id).values_list("la_id", flat=True).first()
    if own:
        las.add(own)
    for la_id in las:
        index_changed(la_id=la_id, provider_id=provider_id)


def connect() -> None:
    from cme.people.models import Address, Child, ChildName, FormerUPN
    from cme.providers.models import Enrolment
    from cme.providers.signals import roll_changed as roll_signal

    for signal in (post_save, post_delete):
        signal.connect(child_changed, sender=Child, dispatch_uid=f"matching-child-{signal}")
        for model in (ChildName, FormerUPN, Address, Enrolment):
            signal.connect(child_detail_changed, sender=model, dispatch_uid=f"matching-{model.__name__}-{signal}")
    roll_signal.connect(roll_changed, dispatch_uid="matching-roll-changed")
