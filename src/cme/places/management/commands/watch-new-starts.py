"""cme watch-new-starts: watch attendance at each child's new provider (from the registers
loaded). A child who has attended for the watched school days (CME_WATCH_SCHOOL_DAYS, default
20) may close "in provision": a task says so. A child absent three school days in a row in that
time reopens work: an urgent task for the responsible officer. Run daily after the registers
are loaded; idempotent (a watch decided stays decided).

    cme watch-new-starts [--date YYYY-MM-DD]
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from cme.places.services import watch_check


class Command(BaseCommand):
    help = "Watch attendance at new providers; tasks for settled starts and for children who stop attending."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to check as of (YYYY-MM-DD); default today")

    def handle(self, *args, **options):
        on = None
        if options["date"]:
            try:
                on = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date: {options['date']!r} is not a date (YYYY-MM-DD)") from None
        report = watch_check(on=on)
        self.stdout.write(f"Checked {report.checked} new starts: {len(report.settled)} settled, "
                          f"{len(report.stopped)} stopped attending")
