"""cme send-digests: e-mail each officer what is due and overdue, and each manager a summary of
the team. Run daily (cron or a scheduler). Idempotent per day: a digest already sent to a user
for the day is not sent again.

    cme send-digests [--date YYYY-MM-DD]
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cme.accounts.models import CASEWORK_ROLES, User
from cme.cases.queues.services import digests_send


class Command(BaseCommand):
    help = "E-mail each officer their due and overdue work, and each manager a summary of the team."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day the digest is for (YYYY-MM-DD); default today")

    def handle(self, *args, **options):
        on = None
        if options["date"]:
            try:
                on = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date: {options['date']!r} is not a date (YYYY-MM-DD)") from None
        officers = User.objects.filter(is_active=True, role_grants__role__in=CASEWORK_ROLES).distinct().count()
        with tqdm(total=officers, desc="Officers", unit="officer", disable=None, file=self.stderr) as bar:
            report = digests_send(on=on, progress=lambda: bar.update(1))
        self.stdout.write(
            f"Digests for {report.on.isoformat()}: {len(report.sent)} sent, {report.already} already sent "
            f"today, {report.nothing_due} officers with nothing due"
        )
        for line in report.sent:
            self.stdout.write(f"  sent to {line}")
