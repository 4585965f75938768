"""`cme audit verify` walks the audit chain and reports every event edited or removed behind the
application's back; `cme audit seal` prints the newest hash, to keep outside the database.

    cme audit seal >> /mnt/write-once/cme-audit-seals.txt      # e.g. nightly, after the backups
    cme audit verify --expect "$(tail -1 /mnt/write-once/cme-audit-seals.txt)"

The chain alone shows an edited, inserted or removed event, and the newest events removed (the
chain head names the last event). Someone who can write to the database could still delete the
newest events and move the head back to match: a hash kept where they cannot write catches that.
"""

import re

from django.core.management.base import BaseCommand, CommandError

from cme.audit.selectors import audit_verify, chain_head

_HASH = re.compile(r"^[0-9a-f]{64}$")


class Command(BaseCommand):
    help = ("Check the audit trail. `cme audit verify [--expect HASH]` walks the hash chain; "
            "`cme audit seal` prints the newest hash to keep outside the database.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,seal}")
        verify = sub.add_parser("verify", help="Walk the hash chain and report every break.")
        verify.add_argument(
            "--expect", metavar="HASH",
            help="a hash printed earlier by `cme audit seal`: it must still be in the chain")
        sub.add_parser("seal", help="Check the chain, then print its newest hash to keep elsewhere.")

    def handle(self, *args, subcommand: str, **options):
        if subcommand == "verify":
            self.verify(options.get("expect"))
        elif subcommand == "seal":
            self.seal()

    def _check(self, expect: str | None) -> int:
        if expect is not None:
            expect = expect.strip().lower()
            if not _HASH.match(expect):
                raise CommandError("--expect: give a hash printed by `cme audit seal` "
                                   "(64 hexadecimal characters)")
        count, problems = audit_verify(expect=expect)
        self.stdout.write(f"Checked {count} audit events.")
        for event_id, problem in problems:
            where = "Sealed hash" if event_id == expect else f"Event {event_id}"
            self.stderr.write(f"{where}: {problem}")
        if problems:
            first = problems[0][0]
            raise CommandError(
                f"The audit chain is broken: {len(problems)} problem(s) found. "
                + ("The sealed hash is missing." if first == expect else f"First at event {first}.")
            )
        return count

    def verify(self, expect: str | None) -> None:
        self._check(expect)
        self.stdout.write(self.style.SUCCESS("The audit chain is intact."))

    def seal(self) -> None:
        # Only an intact chain is worth sealing: a broken one would be vouched for.
        count, problems = audit_verify()
        for event_id, problem in problems:
            self.stderr.write(f"Event {event_id}: {problem}")
        if problems:
            raise CommandError(f"The audit chain is broken ({len(problems)} problem(s)): not sealed. "
                               "Run `cme audit verify` for the list.")
        event_id, last_hash = chain_head()
        # The hash alone on standard output, so that it can be appended to a log as it is.
        self.stdout.write(last_hash)
        self.stderr.write(f"Sealed the audit chain at event {event_id} ({count} events). Keep the "
                          "hash above where the database's administrators cannot write; later, "
                          "`cme audit verify --expect HASH` checks it is still in the chain.")
