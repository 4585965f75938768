"""`cme reconcile`: reconcile a year's enrolments with no database (issue 11, point 4).

    cme reconcile --enrolments ENROL.csv --as-of YYYY-MM-DD --la LA --term-dates TERMS.csv
                  --out OUT.csv [--ehe EHE.csv] [--grace N]
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from cme.matching.batch import InputError
from cme.tracking import batch
from cme.tracking.reconcile import DEFAULT_GRACE, UNRECONCILED


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of: {text!r} is not a date in the form YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Say for every ended enrolment whether the child was found again; write OUT.csv."
    requires_system_checks = []  # runs without a database

    def add_arguments(self, parser):
        parser.add_argument("--enrolments", required=True, help="ENROL.csv")
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--la", required=True, help="the authority's LA code (3 digits)")
        parser.add_argument("--term-dates", required=True, help="TERMS.csv (docs/register-csv.md)")
        parser.add_argument("--out", required=True, help="where to write OUT.csv")
        parser.add_argument("--ehe", help="EHE.csv: the home-education list")
        parser.add_argument("--grace", type=int, default=DEFAULT_GRACE,
                            help=f"school days before a leaver counts as overdue (default {DEFAULT_GRACE})")

    def handle(self, *args, **opts):
        as_of = _day(opts["as_of"])
        try:
            outcomes = batch.run(opts["enrolments"], opts["term_dates"], opts["out"], la_code=opts["la"],
                                 as_of=as_of, ehe=opts["ehe"])
        except InputError as e:
            raise CommandError(str(e)) from None
        counts: dict[str, int] = {}
        for o in outcomes:
            counts[o.status] = counts.get(o.status, 0) + 1
        overdue = sum(1 for o in outcomes if o.status == UNRECONCILED and (o.school_days or 0) > opts["grace"])
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no leavers"
        self.stdout.write(f"{len(outcomes)} leavers: {summary}; {overdue} unreconciled beyond "
                          f"{opts['grace']} school days")
