"""School calendar: which days are school days for an LA and for each of its providers.

Pure module: no Django. Every statutory clock counted in school days goes through here.

A school day is a weekday inside a term that is not a bank holiday in England, not an INSET
day and not a planned closure. Bank holidays come from the `holidays` library (England
subdivision, substitute days included), never typed in by hand.

Term dates CSV
--------------
UTF-8, header ``scope,kind,start,end,name``, one row per period, dates inclusive:

=========  ==================================================================================
scope      an LA code (3 digits, e.g. ``901``) for the LA's own calendar, or a LAESTAB
           (7 digits, e.g. ``9014001``) for a provider whose dates differ
kind       ``term``: pupils are due in on the weekdays from start to end (write one row per
           half-term; the gaps between them are the holidays);
           ``inset``: an INSET (training) day, pupils not in;
           ``closure``: any other planned closure (polling day, for example)
start/end  ISO dates, ``YYYY-MM-DD``; end may be left empty for a single day
name       free text ("Autumn 1", "INSET", "Polling day")
=========  ==================================================================================

A provider uses the LA's terms, INSET days and closures unless it has ``term`` rows of its own
for that academic year (academies often do); then, for that year, its own terms replace the LA's
and the LA's INSET days and closures no longer apply to it. A provider's own ``inset`` and
``closure`` rows always apply.

The calendar covers whole academic years (1 September to 31 August) from the first term it knows
to the last. A date outside them raises CalendarRangeError rather than being counted wrongly.
"""

from __future__ import annotations

import csv
import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import holidays

KINDS = ("term", "inset", "closure")
DEMO_CALENDAR = Path(__file__).resolve().parent / "data" / "term-dates-demo.csv"


class CalendarError(ValueError):
    """A term-dates file that cannot be read: the message names the row and field."""


class CalendarRangeError(ValueError):
    """A date outside the academic years the calendar knows."""


@dataclass(frozen=True)
class Period:
    scope: str
    kind: str
    start: dt.date
    end: dt.date
    name: str = ""


def academic_year_start(day: dt.date) -> dt.date:
    """1 September of the academic year the day falls in."""
    return dt.date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def academic_year(day: dt.date) -> str:
    """The academic year as written in England, e.g. '2025/26'."""
    start = academic_year_start(day).year
    return f"{start}/{(start + 1) % 100:02d}"


def bank_holidays(years: Iterable[int]) -> dict[dt.date, str]:
    """England's bank holidays (substitute days included) for the given calendar years."""
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=list(years)))


class SchoolCalendar:
    """School days for one LA, with per-provider differences.

    Each day set is a sorted list of ordinals, so every question is a bisect: O(log n).
    """

    def __init__(self, periods: Iterable[Period], la: str | None = None):
        periods = list(periods)
        if not periods:
            raise CalendarError("the calendar has no rows")
        scopes_la = {p.scope[:3] for p in periods}
        if la is None:
            if len(scopes_la) > 1:
                raise CalendarError(f"the calendar holds several LAs ({', '.join(sorted(scopes_la))}): name one")
            la = scopes_la.pop()
        self.la = la
        periods = [p for p in periods if p.scope[:3] == la]
        terms = [p for p in periods if p.kind == "term"]
        if not terms:
            raise CalendarError(f"the calendar has no term rows for LA {la}")
        self.first = academic_year_start(min(p.start for p in terms))
        last = academic_year_start(max(p.end for p in terms))
        self.last = dt.date(last.year + 1, 8, 31)
        self.bank_holidays = bank_holidays(range(self.first.year, self.last.year + 1))
        self.periods = periods
        self._la_days = self._days(periods, la, None)
        self._provider_days = {
            scope: self._days(periods, la, scope)
            for scope in sorted({p.scope for p in periods if p.scope != la})
        }

    def _days(self, periods: list[Period], la: str, provider: str | None) -> list[int]:
        # Decided one academic year at a time: an academy with its own terms for 2025/26 may
        # follow the LA's dates in other years.
        own = [p for p in periods if p.scope == provider] if provider else []
        la_rows = [p for p in periods if p.scope == la]
        own_term_years = {academic_year_start(p.start) for p in own if p.kind == "term"}

        def applies(p: Period) -> bool:
            if p.scope != la:
                return True
            return academic_year_start(p.start) not in own_term_years

        rows = own + [p for p in la_rows if applies(p)]
        off = set(self.bank_holidays)
        for p in rows:
            if p.kind != "term":
                off.update(_each_day(p.start, p.end))
        days = {d for p in rows if p.kind == "term" for d in _each_day(p.start, p.end)
                if d.weekday() < 5 and d not in off}
        return sorted(d.toordinal() for d in days)

    # -- the questions ---------------------------------------------------------------------

    def school_days(self, provider: str | None = None) -> list[dt.date]:
        return [dt.date.fromordinal(o) for o in self._for(provider)]

    def is_school_day(self, day: dt.date, provider: str | None = None) -> bool:
        self._check(day)
        days = self._for(provider)
        i = bisect_left(days, day.toordinal())
        return i < len(days) and days[i] == day.toordinal()

    def add_school_days(self, day: dt.date, n: int, provider: str | None = None) -> dt.date:
        """The n-th school day after `day` (before it when n is negative); `day` itself for 0.

        For n >= 0, school_days_between(day, add_school_days(day, n)) == n.
        """
        self._check(day)
        if n == 0:
            return day
        days = self._for(provider)
        i = bisect_right(days, day.toordinal()) + n - 1 if n > 0 else bisect_left(days, day.toordinal()) + n
        if not 0 <= i < len(days):
            raise CalendarRangeError(
                f"{abs(n)} school days {'after' if n > 0 else 'before'} {day.isoformat()} "
                f"falls outside the calendar ({self.first.isoformat()} to {self.last.isoformat()})")
        return dt.date.fromordinal(days[i])

    def school_days_between(self, start: dt.date, end: dt.date, provider: str | None = None) -> int:
        """School days after `start` up to and including `end` (negative when end is earlier)."""
        self._check(start)
        self._check(end)
        days = self._for(provider)
        return bisect_right(days, end.toordinal()) - bisect_right(days, start.toordinal())

    # -- helpers ---------------------------------------------------------------------------

    def _for(self, provider: str | None) -> list[int]:
        if provider is None:
            return self._la_days
        if len(provider) != 7 or not provider.isdigit():
            raise CalendarError(f"provider {provider!r} is not a LAESTAB (7 digits)")
        if provider[:3] != self.la:
            raise CalendarError(f"provider {provider} is not in LA {self.la}")
        # A provider with no rows of its own follows the LA's calendar.
        return self._provider_days.get(provider, self._la_days)

    def _check(self, day: dt.date) -> None:
        if not self.first <= day <= self.last:
            raise CalendarRangeError(
                f"{day.isoformat()} is outside the calendar ({self.first.isoformat()} to "
                f"{self.last.isoformat()}): load term dates for that academic year")


def _each_day(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    for o in range(start.toordinal(), end.toordinal() + 1):
        yield dt.date.fromordinal(o)


def _parse_date(value: str, row: int, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CalendarError(f"row {row}, field {field}: {value!r} is not a date (YYYY-MM-DD)") from None


def read_periods(lines: Iterable[str]) -> list[Period]:
    """Parse term-dates CSV text (see the module docstring). Row numbers count the header as 1."""
    reader = csv.DictReader(lines)
    missing = {"scope", "kind", "start", "end", "name"} - set(reader.fieldnames or [])
    if missing:
        raise CalendarError(f"row 1: the header lacks {', '.join(sorted(missing))}")
    periods = []
    for row_no, row in enumerate(reader, start=2):
        scope = (row["scope"] or "").strip()
        if not (scope.isdigit() and len(scope) in (3, 7)):
            raise CalendarError(f"row {row_no}, field scope: {scope!r} is neither an LA code (3 digits) "
                                "nor a LAESTAB (7 digits)")
        kind = (row["kind"] or "").strip().lower()
        if kind not in KINDS:
            raise CalendarError(f"row {row_no}, field kind: {kind!r} is not one of {', '.join(KINDS)}")
        start = _parse_date(row["start"] or "", row_no, "start")
        end = _parse_date(row["end"], row_no, "end") if (row["end"] or "").strip() else start
        if end < start:
            raise CalendarError(f"row {row_no}, field end: {end.isoformat()} is before the start")
        periods.append(Period(scope, kind, start, end, (row["name"] or "").strip()))
    return periods


def load_calendar(path: str | Path = DEMO_CALENDAR, la: str | None = None) -> SchoolCalendar:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return SchoolCalendar(read_periods(f), la=la)
