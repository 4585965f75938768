"""`cme national-search export|import`: an authority's part in the national search (issue 16).

    cme national-search export --la 881 --out lost-881.csv
    cme national-search import --la 881 --results found-881.csv [--threshold 0.9]

`export` writes the authority's lost pupils (leavers with no known destination) with the minimum
the consortium's search needs; `import` reads what the consortium sends back (`cme link --engine
spark --found-details`, the rows about this authority's lost pupils) and puts each pupil found to
the officers as a likely match on the Lost pupils page. See docs/national-search.md.
"""

import csv
import io

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cme.core.atomic import write_atomically
from cme.handoffs import services
from cme.matching import batch
from cme.providers.models import Organisation, OrgKind


class Command(BaseCommand):
    help = "Send the authority's lost pupils to the national search, or take its results back."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the lost pupils for the consortium")
        export.add_argument("--la", required=True, help="the authority's 3-digit LA code")
        export.add_argument("--out", required=True)
        imp = sub.add_parser("import", help="put the pupils found to the officers")
        imp.add_argument("--la", required=True, help="the authority's 3-digit LA code")
        imp.add_argument("--results", required=True, help="the consortium's results for this authority")
        imp.add_argument("--threshold", type=float, default=0.5,
                         help="least probability put to an officer (default 0.5, as for new entries)")

    def handle(self, *args, **opts):
        la = Organisation.objects.filter(kind=OrgKind.LA, la_code=opts["la"]).first()
        if la is None:
            raise CommandError(f"--la {opts['la']}: no authority with this LA code")
        if opts["action"] == "export":
            rows, basis = services.national_search_export(actor=None, la=la)
            buffer = io.StringIO(newline="")
            writer = csv.DictWriter(buffer, fieldnames=services.NATIONAL_EXPORT_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
            write_atomically(opts["out"], buffer.getvalue())
            self.stdout.write(f"{len(rows)} lost pupils written to {opts['out']} (lawful basis recorded: {basis})")
            return
        try:
            with open(opts["results"], newline="", encoding="utf-8-sig") as f:
                found = batch.parse_found(f, name=opts["results"].rsplit("/", 1)[-1])
            made = services.national_search_import(actor=None, la=la, found=found, threshold=opts["threshold"])
        except (batch.InputError, ValidationError, OSError, UnicodeDecodeError, csv.Error) as e:
            message = "; ".join(e.messages) if isinstance(e, ValidationError) else str(e)
            raise CommandError(f"{message} (nothing was imported)") from None
        self.stdout.write(f"{made} likely matches put to the officers of {la.name}")
