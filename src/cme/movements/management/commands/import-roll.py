"""cme import-roll --provider LAESTAB --as-of DATE FILE.csv: replace a provider's roll from a roll CSV.

The columns are described in docs/roll-csv.md. --provider is the 7-digit LAESTAB, a 6-digit URN, or
LA:home (e.g. 901:home) for the authority's list of children educated at home. All or nothing: a
bad row means nothing changes, and every bad row and field is listed.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cme.core.uploads import too_large
from cme.movements.management.helpers import find_provider, iso_date, refused, report
from cme.movements.services import RollRefused, roll_import_csv


class Command(BaseCommand):
    help = "Replace a provider's roll from a roll CSV (docs/roll-csv.md), all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the roll CSV")
        parser.add_argument("--provider", required=True, help="LAESTAB, URN, or LA:home (e.g. 901:home)")
        parser.add_argument("--as-of", required=True, help="the date of the roll, YYYY-MM-DD")

    def handle(self, *args, file, provider, as_of, **options):
        organisation = find_provider(provider)
        path = Path(file)
        try:
            if problem := too_large("roll", path.stat().st_size):
                raise CommandError(f"{path.name}: {problem}")
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file") from None
        show = options["verbosity"] > 0
        try:
            record = roll_import_csv(
                actor=None, provider=organisation, as_of=iso_date(as_of), data=data, file_name=path.name,
                progress=lambda rows: tqdm(rows, desc="Pupils", unit=" pupils", disable=not show),
            )
        except RollRefused as error:
            raise refused(self, error, path.name) from None
        report(self, record)
