"""cme school-days: count school days on the school calendar, with no database.

    cme school-days add 2026-02-06 10 [--provider 9014001] [--calendar FILE]
    cme school-days between 2026-02-06 2026-02-27 [--provider ...] [--calendar FILE]

`between` counts the school days after the first date up to and including the second, so that
`between D (add D N)` is N. The calendar is a term-dates CSV (see cme.attendance.calendar); the
shipped demo calendar is used when --calendar is not given.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from cme.attendance import calendar
from cme.attendance.selectors import database_calendar


def iso_date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Add school days to a date, or count the school days between two dates."
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, second, helptext in (("add", "n", "number of school days (negative: before)"),
                                       ("between", "end", "second date (YYYY-MM-DD)")):
            p = sub.add_parser(name)
            p.add_argument("date", help="YYYY-MM-DD")
            p.add_argument(second, help=helptext)
            p.add_argument("--provider", help="LAESTAB of a provider whose dates differ")
            p.add_argument("--calendar", help="term-dates CSV (default: the LA's term dates in the "
                           "database, else the demo calendar)")
            p.add_argument("--la", help="LA code, when the calendar holds several LAs")

    def handle(self, *args, **options):
        start = iso_date(options["date"], "date")
        try:
            cal = None if options["calendar"] else database_calendar(
                la_code=options.get("la"), provider=options["provider"])
            cal = cal or calendar.load_calendar(options["calendar"] or calendar.DEMO_CALENDAR,
                                                la=options.get("la"))
            if options["action"] == "add":
                try:
                    n = int(options["n"])
                except ValueError:
                    raise CommandError(f"n: {options['n']!r} is not a whole number") from None
                self.stdout.write(cal.add_school_days(start, n, options["provider"]).isoformat())
            else:
                end = iso_date(options["end"], "end")
                self.stdout.write(str(cal.school_days_between(start, end, options["provider"])))
        except FileNotFoundError as e:
            raise CommandError(f"{e.filename}: no such file") from None
        except (calendar.CalendarError, calendar.CalendarRangeError) as e:
            raise CommandError(str(e)) from None
