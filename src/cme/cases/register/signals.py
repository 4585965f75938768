"""What the register tells the rooms above it (escalation), which it never imports."""

from django.dispatch import Signal

# A case was opened. Sent inside the opening transaction; arguments: actor, case.
case_opened = Signal()
