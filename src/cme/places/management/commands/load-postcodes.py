"""cme load-postcodes: load postcodes' coordinates from the ONS Postcode Directory (ONSPD) CSV,
for the straight-line distances of place suggestions. All or nothing: a bad row is named and
nothing is loaded. Run again when ONS publishes a new directory (quarterly).

    cme load-postcodes ONSPD_NOV_2025_UK.csv --areas LS,BD
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cme.core.csvfile import first
from cme.places.postcodes import read_onspd
from cme.places.services import postcodes_store


class Command(BaseCommand):
    help = "Load postcodes' coordinates (columns pcds, lat, long) from the ONS Postcode Directory CSV."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the ONSPD CSV (or any CSV with pcds, lat and long)")
        parser.add_argument("--areas", default="", help="postcode areas to keep, comma separated (e.g. LS,BD)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        found = read_onspd(path.read_bytes(), areas=options["areas"].split(","))
        if found.problems:
            shown, more = first(found.problems, 20)
            lines = [str(p) for p in shown] + ([f"... and {more} more"] if more else [])
            raise CommandError("Nothing was loaded:\n  " + "\n  ".join(lines))
        stored = postcodes_store(points=found.points)
        self.stdout.write(f"Loaded {stored} postcodes ({found.skipped} skipped: no grid reference or another area)")
