"""What the register tells the rooms above it. People sits below cases, so it never calls them:
it sends a signal, and the rooms that must react (escalation) receive it."""

from django.dispatch import Signal

# A safeguarding flag (child protection plan, child in need, looked after) became current on a
# child. Sent inside the transaction that added it; arguments: actor, child_id.
safeguarding_flag_added = Signal()

# A child's record changed (names, date of birth, an address): the case register logs a case
# whose record is now complete. Sent inside the transaction; arguments: actor, child_id.
child_record_changed = Signal()
