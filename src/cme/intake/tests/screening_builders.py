"""Registers for the screening tests: a child's marks at a provider, loaded through the attendance
app's register import (one RegisterYear per enrolment per academic year)."""

import datetime as dt

from cme.attendance.services import registers_import_file
from cme.intake.models import ScreeningFinding
from cme.testing import factories as f

MONDAY = dt.date(2025, 9, 1)  # the first Monday of the 2025/26 academic year


def week(am: str = "/", pm: str = "\\", days: int = 5) -> list[str]:
    """One week of sessions from a Monday: `days` school days, then none to Sunday."""
    return [am, pm] * days + ["-", "-"] * (7 - days)


def weeks(n: int, am: str = "/", pm: str = "\\") -> list[str]:
    return week(am, pm) * n


def absent_days(n: int) -> list[str]:
    """n school days coded N, Monday to Friday, from a Monday; weekends have no session."""
    out: list[str] = []
    while n > 0:
        days = min(5, n)
        out += ["N", "N"] * days + ["-", "-"] * (7 - days) if days == 5 else ["N", "N"] * days
        n -= days
    return out


def last_day(sessions: list[str], start: dt.date = MONDAY) -> dt.date:
    return start + dt.timedelta(days=(len(sessions) + 1) // 2 - 1)


def store_register(child, provider, sessions: list[str], *, start: dt.date = MONDAY,
                   year_group: str = "5", enrolment=None):
    """Put a child on the provider's roll (unless given a stay) and import these session marks
    through the attendance app's register import, as a school's CSV export would bring them."""
    enrolment = enrolment or f.enrol(child, provider, entry=start, year_group=year_group,
                                     upn=child.upn)
    lines = ["upn,laestab,date,session,code"]
    for i, code in enumerate(sessions):
        if code != "-":
            day = start + dt.timedelta(days=i // 2)
            lines.append(f"{enrolment.upn or child.upn},{provider.laestab},{day.isoformat()},"
                         f"{'AM' if i % 2 == 0 else 'PM'},{code}")
    return registers_import_file(actor=None, data=("\n".join(lines) + "\n").encode(),
                                 filename="registers.csv", la_id=provider.la_id)


def open_findings(**filters):
    return ScreeningFinding.objects.filter(cleared_on__isnull=True, **filters)
