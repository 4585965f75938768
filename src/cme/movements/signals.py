"""roll_changed(provider_id): sent after a roll import commits, so that cme.matching can refresh
its in-memory index of rolls. Sent with transaction.on_commit, never for a refused import."""

from django.dispatch import Signal

roll_changed = Signal()
