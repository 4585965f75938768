"""cme backup --out FILE: a consistent copy of the whole database, with a manifest of every
table's rows and the audit chain's newest hash (cme.audit.backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cme.audit.backups import BackupError, backup, manifest_path


class Command(BaseCommand):
    help = "Back up the database (SQLite: online copy; PostgreSQL: pg_dump) with a manifest to check a restore."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="the backup file to write (never overwritten)")

    def handle(self, *args, out, **options):
        try:
            manifest = backup(Path(out))
        except BackupError as e:
            raise CommandError(str(e)) from None
        rows = sum(manifest.counts.values())
        self.stdout.write(f"Backed up {rows:,} rows in {len(manifest.counts)} tables to {out} "
                          f"(manifest {manifest_path(Path(out)).name}; audit chain head {manifest.audit_head[1][:12]}…)")
