"""cme import-ctf FILE.xml [--as-of DATE]: replace a provider's roll with the pupils of a CTF.

The provider is the CTF's destination school, or its source school when the file goes to the
authority (destination LLLL). The roll date is --as-of, or else the date the file was made.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cme.core.csvfile import first
from cme.movements.ctf import CtfError, read_ctf
from cme.movements.management.helpers import ctf_max_bytes, iso_date, refused, report
from cme.movements.selectors import provider_for_ctf
from cme.movements.services import RollRefused, roll_import_ctf


class Command(BaseCommand):
    help = "Replace a provider's roll with the pupils of a Common Transfer File, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CTF (XML)")
        parser.add_argument("--as-of", help="the date of the roll, YYYY-MM-DD (default: the file's date)")

    def handle(self, *args, file, as_of, **options):
        path = Path(file)
        try:
            ctf = read_ctf(path, max_bytes=ctf_max_bytes())
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file") from None
        except CtfError as error:
            shown, more = first(error.problems)
            for problem in shown:
                self.stderr.write(str(problem))
            if more:
                self.stderr.write(f"… and {more:,} more problems")
            raise CommandError(f"Nothing was imported: {path.name} cannot be read as a CTF") from None
        provider = provider_for_ctf(ctf)
        if provider is None:
            h = ctf.header
            raise CommandError(
                f"No provider matches the CTF's school (source {h.source.lea}/{h.source.estab}, "
                f"destination {h.dest.lea}/{h.dest.estab}): import the GIAS extract first"
            )
        show = options["verbosity"] > 0
        try:
            record = roll_import_ctf(
                actor=None, provider=provider, ctf=ctf, as_of=iso_date(as_of) if as_of else None,
                file_name=path.name,
                progress=lambda rows: tqdm(rows, desc="Pupils", unit=" pupils", disable=not show),
            )
        except RollRefused as error:
            raise refused(self, error, path.name) from None
        report(self, record)
