from django.db import transaction

from cme.core.models import Sequence


def sequence_next(*, name: str) -> int:
    with transaction.atomic():
        seq, _ = Sequence.objects.select_for_update().get_or_create(name=name)
        seq.value += 1
        seq.save(update_fields=["value"])
        return seq.value
