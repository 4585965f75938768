"""cme import-registers FILE: load attendance marks into the database.

FILE is a school information system CSV (`upn,laestab,date,session,code`, docs/register-csv.md)
or a common transfer file (its Attendance part). All or nothing; the same file twice changes
nothing; a later mark for the same date and session replaces the earlier one, which is kept.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cme.attendance.services import (
    ImportKind,
    ImportRejected,
    ctf_attendance_read,
    register_csv_read,
    registers_import,
)
from cme.core.csvfile import first
from cme.core.uploads import too_large


def rejected(errors: list[str]) -> str:
    """The first 100 problems and the count of the rest."""
    shown, more = first(errors)
    return ("Nothing was loaded:\n" + "\n".join(f"  {x}" for x in shown)
            + (f"\n  … and {more:,} more problems" if more else ""))


class Command(BaseCommand):
    help = "Load attendance registers: a CSV upn,laestab,date,session,code or a CTF."

    def add_arguments(self, parser):
        parser.add_argument("file", help="register CSV or CTF (XML)")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        if problem := too_large("register", path.stat().st_size):
            raise CommandError(f"{path.name}: {problem}")
        quiet = options["verbosity"] == 0
        data = path.read_bytes()
        is_ctf = data[:512].lstrip().startswith(b"<")
        # Read by the shared CSV reader: a broken file (an unclosed quote, not UTF-8...) is refused
        # naming the row, as on the upload page.
        marks, errors, rows = ctf_attendance_read(data) if is_ctf else register_csv_read(data)
        bar = tqdm(desc="Storing", unit=" registers", disable=quiet)
        try:
            report = registers_import(actor=None, marks=marks, errors=errors, rows_read=rows,
                                      kind=ImportKind.CTF if is_ctf else ImportKind.CSV,
                                      filename=path.name, progress=bar.update)
        except ImportRejected as e:
            bar.close()
            raise CommandError(rejected(e.errors)) from None
        bar.close()
        self.stdout.write(f"{report.rows_read} rows read: {report.marks_added} marks added, "
                          f"{report.marks_changed} changed, {report.marks_unchanged} unchanged "
                          f"({report.registers} registers)")
