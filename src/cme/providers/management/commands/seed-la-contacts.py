"""cme seed-la-contacts [--la CODE ...] [--file CSV]: give each authority an entry in its LA contacts
directory for every other English LA, from the DfE list of LA codes shipped with the service.

Idempotent: run it again and existing entries keep the named CME contacts typed into them; only a
changed LA name is updated. Contacts are then filled in on the "LA contacts" page.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cme.providers.models import Organisation, OrgKind
from cme.providers.services import LA_CODES_FILE, la_contacts_seed, read_la_codes


class Command(BaseCommand):
    help = "Create the directory of other LAs (their named CME contacts) for each authority."

    def add_arguments(self, parser):
        parser.add_argument("--la", action="append", default=[], metavar="CODE",
                            help="only this authority's directory (repeat for more); default: every authority")
        parser.add_argument("--file", default=str(LA_CODES_FILE),
                            help="the LA codes CSV (name, GIAS LA code, ONS code); default: the shipped list")

    def handle(self, *args, la, file, **options):
        try:
            codes = read_la_codes(Path(file))
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file") from None
        if not codes:
            raise CommandError(f"{file}: no LA codes found (expected columns: name, LA code, ONS code)")
        authorities = Organisation.objects.filter(kind=OrgKind.LA).order_by("la_code")
        if la:
            authorities = authorities.filter(la_code__in=la)
            missing = set(la) - set(authorities.values_list("la_code", flat=True))
            if missing:
                raise CommandError(f"--la {', '.join(sorted(missing))}: no such authority here")
        if not authorities.exists():
            raise CommandError("No authority is set up yet: create one first")
        show = options["verbosity"] > 0
        for authority in authorities:
            report = la_contacts_seed(
                la=authority, codes=codes,
                progress=lambda rows, a=authority: tqdm(rows, desc=a.name, unit=" LAs", disable=not show),
            )
            self.stdout.write(
                f"{authority.name}: {report.added} added, {report.renamed} renamed, {report.unchanged} unchanged"
            )
