"""`cme retention-dispose [--apply]`: dispose of what is past its retention period (run nightly
or monthly). Without --apply, a dry run: what would go, record type by record type, nothing
changed. With --apply, each batch deleted or anonymised in its own transaction and recorded in
the audit chain; `cme audit verify` still passes afterwards (docs/data-protection.md)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cme.dataprotection.schedule import ScheduleError
from cme.dataprotection.selectors import retention_schedule
from cme.dataprotection.services import DisposalError, retention_dispose


class Command(BaseCommand):
    help = "Dispose of records past their retention period (dry run unless --apply)."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="delete and anonymise (default: a dry run)")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default today)")
        parser.add_argument("--schedule", help="a retention schedule file (default: CME_RETENTION_SCHEDULE, "
                                               "else the one shipped with the service)")

    def handle(self, *args, apply, as_of, schedule, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of: {as_of!r} is not a date in the form YYYY-MM-DD") from None
        try:
            rules = retention_schedule(schedule)
        except ScheduleError as e:
            raise CommandError(str(e)) from None
        verbose = options.get("verbosity", 1) > 1
        try:
            outcomes = retention_dispose(rules=rules, as_of=day, apply=apply,
                                         progress=self.stderr.write if verbose else (lambda _: None))
        except DisposalError as e:
            raise CommandError(f"Disposal stopped: {e}. Batches already done stay done.") from None
        self.stdout.write(("Disposed of" if apply else "Dry run (nothing changed): past its retention") +
                          f" as of {day:%d %B %Y}:")
        for o in outcomes:
            line = f"  {o.record_type}: {o.found:,} ({o.rule.summary})"
            if apply and o.deleted:
                line += "; deleted " + ", ".join(f"{n:,} {label}" for label, n in sorted(o.deleted.items()))
            if apply and o.anonymised:
                line += f"; {o.anonymised:,} audit events anonymised"
            if o.kept_audit_events:
                line += (f"; {o.kept_audit_events:,} audit events written before events could be anonymised "
                         "kept as written")
            self.stdout.write(line)
        if not apply:
            self.stdout.write("Run again with --apply to dispose of them.")
