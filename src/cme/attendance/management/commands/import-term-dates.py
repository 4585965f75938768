"""cme import-term-dates FILE [--provider LAESTAB]: load term dates into the database.

The file is the term-dates CSV of cme.attendance.calendar (docs/register-csv.md). Rows are
scoped by LA code or by a provider's LAESTAB; each scope's periods for the academic years in the
file replace those held. With --provider every row must be that provider's. All or nothing.
"""

from collections import defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cme.attendance.services import ImportRejected, term_dates_import, term_dates_read
from cme.core.csvfile import first
from cme.providers.models import Organisation


class Command(BaseCommand):
    help = "Load term dates (a term-dates CSV) for an LA, or for one provider with --provider."

    def add_arguments(self, parser):
        parser.add_argument("file", help="term-dates CSV: scope,kind,start,end,name")
        parser.add_argument("--provider", help="LAESTAB of the provider these dates are for")

    def handle(self, *args, file, provider, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file") from None
        # Read once, by the shared CSV reader; each LA's rows then keep the file's row numbers.
        periods, errors = term_dates_read(data)
        if errors:
            raise CommandError(self._rejected(errors))
        if provider:
            org = Organisation.objects.filter(la_code=provider[:3], estab=provider[3:]).exclude(estab="").first()
            if org is None or org.la_id is None or len(provider) != 7:
                raise CommandError(f"--provider: no provider with LAESTAB {provider!r}")
            jobs = {org.la_id: (periods, org.pk)}
        else:
            by_la: dict[str, list] = defaultdict(list)
            for row, p in periods:
                by_la[p.scope[:3]].append((row, p))
            jobs = {}
            for code in sorted(by_la):
                la = Organisation.objects.filter(kind="la", la_code=code).first()
                if la is None:
                    raise CommandError(f"field scope: no LA with code {code} (rows for it: "
                                       f"{len(by_la[code])})")
                jobs[la.pk] = (by_la[code], None)
        try:
            with transaction.atomic():
                for la_id, (la_periods, provider_id) in jobs.items():
                    report = term_dates_import(actor=None, la_id=la_id, periods=la_periods,
                                               provider_id=provider_id, filename=path.name)
                    self.stdout.write(f"LA {Organisation.objects.get(pk=la_id).la_code}: {report.rows} "
                                      f"periods loaded for {', '.join(report.academic_years)} "
                                      f"({report.replaced} replaced)")
        except ImportRejected as e:
            raise CommandError(self._rejected(e.errors)) from None

    @staticmethod
    def _rejected(errors: list[str]) -> str:
        shown, more = first(errors)
        return ("Nothing was loaded:\n" + "\n".join(f"  {e}" for e in shown)
                + (f"\n  … and {more:,} more problems" if more else ""))
