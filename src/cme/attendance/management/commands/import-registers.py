"""cme import-registers FILE: load attendance marks into the database.

FILE is a school information system CSV (`upn,laestab,date,session,code`, docs/register-csv.md)
or a common transfer file (its Attendance part). All or nothing; the same file twice changes
nothing; a later mark for the same date and session replaces the earlier one, which is kept.
"""

import io
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


class Command(BaseCommand):
    help = "Load attendance registers: a CSV upn,laestab,date,session,code or a CTF."

    def add_arguments(self, parser):
        parser.add_argument("file", help="register CSV or CTF (XML)")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        quiet = options["verbosity"] == 0
        with open(path, "rb") as raw:
            is_ctf = raw.read(512).lstrip().startswith(b"<")
            raw.seek(0)
            if is_ctf:
                marks, errors, rows = ctf_attendance_read(raw.read())
            else:
                with tqdm.wrapattr(raw, "read", total=path.stat().st_size, desc="Reading",
                                   disable=quiet) as tracked:
                    text = io.TextIOWrapper(tracked, encoding="utf-8-sig", newline="")
                    try:
                        marks, errors, rows = register_csv_read(text)
                    except UnicodeDecodeError as e:
                        raise CommandError(f"{file}: not UTF-8 text ({e.reason})") from None
        bar = tqdm(desc="Storing", unit=" registers", disable=quiet)
        try:
            report = registers_import(actor=None, marks=marks, errors=errors, rows_read=rows,
                                      kind=ImportKind.CTF if is_ctf else ImportKind.CSV,
                                      filename=path.name, progress=bar.update)
        except ImportRejected as e:
            bar.close()
            raise CommandError("Nothing was loaded:\n" + "\n".join(f"  {x}" for x in e.errors)) from None
        bar.close()
        self.stdout.write(f"{report.rows_read} rows read: {report.marks_added} marks added, "
                          f"{report.marks_changed} changed, {report.marks_unchanged} unchanged "
                          f"({report.registers} registers)")
