"""`cme audit verify`: walk the audit chain and report every event edited or removed behind the
application's back."""

from django.core.management.base import BaseCommand, CommandError

from cme.audit.selectors import audit_verify


class Command(BaseCommand):
    help = "Check the audit trail. `cme audit verify` walks the hash chain."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="verify")
        sub.add_parser("verify", help="Walk the hash chain and report every break.")

    def handle(self, *args, subcommand: str, **options):
        if subcommand == "verify":
            self.verify()

    def verify(self) -> None:
        count, problems = audit_verify()
        self.stdout.write(f"Checked {count} audit events.")
        for event_id, problem in problems:
            self.stderr.write(f"Event {event_id}: {problem}")
        if problems:
            raise CommandError(
                f"The audit chain is broken: {len(problems)} problem(s) found. "
                f"First at event {problems[0][0]}."
            )
        self.stdout.write(self.style.SUCCESS("The audit chain is intact."))
