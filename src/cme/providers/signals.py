"""roll_changed(provider_id): a provider's roll (its enrolments) was replaced, sent by the roll
imports (cme.movements) once the import commits, never for a refused one, so that cme.matching
can refresh its in-memory index of rolls. It lives with the rolls, on the floor below both."""

from django.dispatch import Signal

roll_changed = Signal()
