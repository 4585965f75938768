"""`cme handoffs-overdue` (nightly, idempotent): escalate hand-offs unanswered past their clock."""

from django.core.management.base import BaseCommand

from cme.handoffs.peer_services import handoffs_escalate_overdue


class Command(BaseCommand):
    help = "Escalate every hand-off to another authority still unanswered past its clock (5 school days)."

    def handle(self, *args, **opts):
        self.stdout.write(f"{handoffs_escalate_overdue()} hand-offs escalated")
