"""cme restore FILE --yes: replace the database with a backup, then prove every table's rows and
the audit chain came back as the manifest says (cme.audit.backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cme.audit.backups import BackupError, database_name, restore


class Command(BaseCommand):
    help = "Restore a backup made by `cme backup` over this database, then check it against its manifest."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file")
        parser.add_argument("--yes", action="store_true", help="confirm: the database's contents are replaced")

    def handle(self, *args, file, yes, **options):
        if not yes:
            raise CommandError(f"This replaces everything in {database_name()}: run again with --yes to confirm")
        try:
            manifest, found, checked, problems = restore(Path(file))
        except BackupError as e:
            raise CommandError(str(e)) from None
        missing = {t: (n, found.get(t)) for t, n in manifest.counts.items() if found.get(t) != n}
        if missing:
            raise CommandError("The restore does not match its manifest: " + "; ".join(
                f"{t}: {got} rows, expected {n}" for t, (n, got) in sorted(missing.items())[:20]))
        if problems:
            raise CommandError(f"The audit chain does not verify after the restore: {len(problems)} problem(s), "
                               f"first at {problems[0][0]}")
        self.stdout.write(f"Restored {sum(found.values()):,} rows in {len(found)} tables; every table as the "
                          f"manifest says; the audit chain of {checked:,} events verifies.")
