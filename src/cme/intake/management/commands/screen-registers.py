"""cme screen-registers: screen the stored registers and open at-risk referrals.

    cme screen-registers [--la CODE] [--as-of YYYY-MM-DD]

Idempotent: running it twice for the same date opens nothing new. Run it nightly, for example
from cron at 02:30 (after the day's registers have arrived):

    30 2 * * *  cd /srv/cme && .venv/bin/cme screen-registers >> var/log/screening.log 2>&1
"""

import datetime as dt
import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from cme.attendance.screening import RulesError
from cme.intake.screening_service import screening_run
from cme.providers.models import Organisation, OrgKind

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Screen every authority's stored attendance registers (or one, with --la) against the "
        "at-risk rules: new patterns open at-risk referrals, patterns found again open nothing, "
        "patterns that have cleared are marked cleared. Idempotent. Nightly from cron, e.g. "
        "`30 2 * * * cd /srv/cme && .venv/bin/cme screen-registers >> var/log/screening.log 2>&1`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--la", metavar="CODE", help="the authority's three-digit LA code; default: every authority")
        parser.add_argument("--as-of", metavar="DATE", help="YYYY-MM-DD; default: today")

    def handle(self, *args, **options):
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(f"--as-of: {options['as_of']!r} is not a date (YYYY-MM-DD)") from None
        authorities = Organisation.objects.filter(kind=OrgKind.LA).order_by("la_code")
        if options["la"]:
            authorities = authorities.filter(la_code=options["la"])
            if not authorities.exists():
                raise CommandError(f"--la: no authority has LA code {options['la']!r}")
        failed = []
        for la in tqdm(list(authorities), desc="Screening", unit="LA", disable=None):
            try:
                run = screening_run(la_id=la.pk, as_of=as_of)
            except RulesError as e:
                raise CommandError(f"{la.name}: {e}") from None
            except Exception as e:
                # One authority's bad data must not stop the nightly run for the others: its run
                # rolled back whole; the others go on, and the command fails at the end.
                logger.exception("Screening %s (%s) failed", la.name, la.la_code)
                self.stderr.write(f"{la.name} ({la.la_code}): screening failed and changed nothing: "
                                  f"{type(e).__name__}: {e}")
                failed.append(la)
                continue
            self.stdout.write(
                f"{la.name} ({la.la_code}) as of {as_of.isoformat()}: {run.pupils_screened:,} registers, "
                f"{run.findings_opened} new findings, {run.referrals_opened} at-risk referrals, "
                f"{run.findings_still_open} still found, {run.findings_cleared} cleared"
            )
        if failed:
            raise CommandError("Screening failed for " + ", ".join(f"{la.name} ({la.la_code})" for la in failed)
                               + "; every other authority was screened")
