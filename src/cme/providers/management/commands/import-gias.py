"""cme import-gias FILE [--la CODE ...]: add and update providers from the GIAS establishment extract.

FILE is the extract as published (edubasealldataYYYYMMDD.csv, Windows-1252). All or nothing: a bad
row means nothing changes, and every bad row and field is listed.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cme.core.csvfile import first
from cme.providers.gias import read_extract
from cme.providers.identifiers import la_code_problem
from cme.providers.services import ImportRefused, gias_import


class Command(BaseCommand):
    help = "Add and update schools and other providers from the GIAS establishment extract (CSV)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the GIAS extract, e.g. edubasealldata20251001.csv")
        parser.add_argument("--la", action="append", default=[], metavar="CODE",
                            help="only establishments of this LA code (repeat for more)")

    def handle(self, *args, file, la, **options):
        for code in la:
            if problem := la_code_problem(code):
                raise CommandError(f"--la {code}: {problem}")
        path = Path(file)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file") from None
        extract = read_extract(data, la_codes=la)
        show = options["verbosity"] > 0
        try:
            report = gias_import(
                actor=None, extract=extract, file_name=path.name,
                progress=lambda rows: tqdm(rows, desc="Providers", unit=" rows", disable=not show),
            )
        except ImportRefused as refused:
            shown, more = first(refused.problems)
            for problem in shown:
                self.stderr.write(str(problem))
            if more:
                self.stderr.write(f"… and {more:,} more problems")
            raise CommandError(
                f"Nothing was imported: {len(refused.problems):,} problem(s) in {path.name}"
            ) from None
        self.stdout.write(
            f"{path.name}: {report.added} providers added, {report.updated} updated, "
            f"{report.unchanged} unchanged."
        )
        if report.skipped_types:
            kinds = ", ".join(f"{name} ({n})" for name, n in report.skipped_types.most_common())
            self.stdout.write(f"Skipped types not tracked: {kinds}.")
        if report.outside_filter:
            self.stdout.write(f"{report.outside_filter} rows of other LAs left out (--la).")
