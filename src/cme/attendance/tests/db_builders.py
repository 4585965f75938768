"""Database fixtures for the stored calendar and registers: term dates of LA 901, registers as CSV."""

import datetime as dt

import pytest

from cme.attendance.services import term_dates_import

TERM_DATES_901 = """scope,kind,start,end,name
901,term,2025-09-01,2025-10-24,Autumn 1
901,term,2025-11-03,2025-12-19,Autumn 2
901,term,2026-01-05,2026-02-13,Spring 1
901,term,2026-02-23,2026-03-27,Spring 2
901,term,2026-04-13,2026-05-22,Summer 1
901,term,2026-06-01,2026-07-20,Summer 2
901,inset,2025-09-01,2025-09-02,INSET
901,inset,2026-01-05,,INSET
"""


def load_term_dates(la, text: str = TERM_DATES_901, provider=None):
    return term_dates_import(actor=None, la_id=la.pk, lines=text.splitlines(keepends=True),
                             provider_id=provider.pk if provider else None, filename="terms.csv")


def register_csv(*rows: tuple[str, str, str, str, str]) -> bytes:
    return ("upn,laestab,date,session,code\n" + "".join(",".join(r) + "\n" for r in rows)).encode()


def days_of_marks(upn: str, laestab: str, start: dt.date, days: int, am: str = "/", pm: str = "\\"):
    """Rows for `days` weekdays from start."""
    rows, day = [], start
    while len(rows) < 2 * days:
        if day.weekday() < 5:
            rows += [(upn, laestab, day.isoformat(), "AM", am), (upn, laestab, day.isoformat(), "PM", pm)]
        day += dt.timedelta(days=1)
    return rows


@pytest.fixture
def term_dates_a(la_a):
    load_term_dates(la_a)
    return la_a
