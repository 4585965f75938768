"""`cme reconcile-leavers`: reconcile every authority's leavers (run nightly; idempotent).

Each pupil who left a roll is found again (another roll, the home-education list), transferred
out, exempt, or not found; one not found beyond the authority's grace period (school days)
becomes a CME referral, once.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from cme.providers.models import Organisation, OrgKind
from cme.tracking.services import leavers_reconcile


class Command(BaseCommand):
    help = "Reconcile leavers for every authority (or one, --la CODE); open referrals past the grace period."

    def add_arguments(self, parser):
        parser.add_argument("--la", help="one authority's LA code")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default today)")

    def handle(self, *args, **opts):
        as_of = None
        if opts["as_of"]:
            try:
                as_of = dt.date.fromisoformat(opts["as_of"])
            except ValueError:
                raise CommandError(f"--as-of: {opts['as_of']!r} is not a date in the form YYYY-MM-DD") from None
        las = Organisation.objects.filter(kind=OrgKind.LA)
        if opts["la"]:
            las = las.filter(la_code=opts["la"])
            if not las.exists():
                raise CommandError(f"--la: no authority with LA code {opts['la']}")
        for la in las:
            s = leavers_reconcile(la_id=la.pk, as_of=as_of)
            counts = ", ".join(f"{k} {v}" for k, v in sorted(s.counts.items())) or "no leavers"
            self.stdout.write(f"{la.name}: {s.leavers} leavers ({counts}); {s.to_confirm} possible matches "
                              f"to confirm; {s.referrals_opened} referrals opened")
