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

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import holidays

from cme.core.csvfile import read_csv
from cme.core.inputs import is_ascii_digits, parse_iso_date, shown

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
        # Years 1 or 9999 (held from before files were checked) cannot be given whole academic
        # years around them: a clear refusal, not a ValueError from the date arithmetic.
        outside = [p for p in periods if not (p.start.year >= EARLIEST_YEAR and p.end.year <= LATEST_YEAR)]
        if outside:
            raise CalendarError(f"the {outside[0].kind} from {outside[0].start.isoformat()} to "
                                f"{outside[0].end.isoformat()} is outside {EARLIEST_YEAR} to {LATEST_YEAR}")
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
        if len(provider) != 7 or not is_ascii_digits(provider):
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


COLUMNS = ("scope", "kind", "start", "end", "name")
LIMITS = {"scope": 7, "kind": 10, "start": 10, "end": 10, "name": 100}
# Term dates are of this century: a year outside it is a typing mistake (year 1, or 9999), and the
# calendar could not be built around it.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2099
# A term, INSET or closure shorter than a year: one row a term is the format.
LONGEST_PERIOD_DAYS = 366


def _date(value: str, row: int, field: str, errors: list[str]) -> dt.date | None:
    try:
        day = parse_iso_date(value)
    except ValueError:
        errors.append(f"row {row}, field {field}: {shown(value)} is not a date (YYYY-MM-DD)")
        return None
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        errors.append(f"row {row}, field {field}: {day.isoformat()} is not a date from {EARLIEST_YEAR} "
                      f"to {LATEST_YEAR}")
        return None
    return day


def read_term_dates(data: bytes | str) -> tuple[list[tuple[int, Period]], list[str]]:
    """Every period of a term-dates file with its row (the header is row 1), and every error,
    each naming the row and field. Read by the shared CSV reader (cme.core.csvfile), UTF-8.

    Refused besides what cannot be read: a period of a year or more (a "200-year term"), the same
    period twice, and two terms of one scope that overlap."""
    table = read_csv(data, required=COLUMNS, known=COLUMNS, max_lengths=LIMITS,
                     missing_hint=f" (the header must be {','.join(COLUMNS)})")
    errors = [f"row {p.row}" + (f", field {p.column}" if p.column else "") + f": {p.message}"
              for p in table.problems]
    if table.broken:
        return [], errors
    bad_rows = {p.row for p in table.problems}
    periods: list[tuple[int, Period]] = []
    for row in table.rows:
        n = row.number
        if n in bad_rows:
            continue
        found = len(errors)
        scope = row["scope"]
        if not (is_ascii_digits(scope) and len(scope) in (3, 7)):
            errors.append(f"row {n}, field scope: {shown(scope)} is neither an LA code (3 digits) "
                          "nor a LAESTAB (7 digits)")
        kind = row["kind"].lower()
        if kind not in KINDS:
            errors.append(f"row {n}, field kind: {shown(kind)} is not one of {', '.join(KINDS)}")
        start = _date(row["start"], n, "start", errors)
        end = _date(row["end"], n, "end", errors) if row["end"] else start
        if start and end:
            if end < start:
                errors.append(f"row {n}, field end: {end.isoformat()} is before the start")
            elif (end - start).days >= LONGEST_PERIOD_DAYS:
                errors.append(f"row {n}, field end: {end.isoformat()} is more than a year after the "
                              "start: write one row per term")
        # A date that could not be read has added its error (so start and end are dates here).
        if len(errors) == found and start is not None and end is not None:
            periods.append((n, Period(scope, kind, start, end, row["name"])))
    errors += _clashes(periods)
    return periods, errors


def _clashes(periods: list[tuple[int, Period]]) -> list[str]:
    """The same period twice, and terms of one scope that overlap (a typing mistake, or two
    files' worth of terms in one), in row order."""
    found: list[tuple[int, str]] = []
    seen: dict[tuple, int] = {}
    for n, p in periods:
        key = (p.scope, p.kind, p.start, p.end)
        if key in seen:
            found.append((n, f"row {n}: the same {p.kind} as row {seen[key]}"))
        seen.setdefault(key, n)
    terms = sorted((p.scope, p.start, p.end, n) for n, p in periods
                   if p.kind == "term" and seen[(p.scope, p.kind, p.start, p.end)] == n)
    latest: dict[str, tuple[dt.date, int]] = {}  # scope -> the latest end so far, and its row
    for scope, start, end, n in terms:
        if scope in latest and start <= latest[scope][0]:
            end_before, row_before = latest[scope]
            found.append((n, f"row {n}, field start: the term overlaps the term on row {row_before}, "
                             f"which ends {end_before.isoformat()}"))
        if scope not in latest or end > latest[scope][0]:
            latest[scope] = (end, n)
    return [message for _, message in sorted(found)]


def read_periods(lines: Iterable[str]) -> list[Period]:
    """Parse term-dates CSV text (see the module docstring); CalendarError names the first problem.
    Row numbers count the header as 1."""
    periods, errors = read_term_dates("".join(lines))
    if errors:
        raise CalendarError(errors[0])
    return [p for _, p in periods]


def load_calendar(path: str | Path = DEMO_CALENDAR, la: str | None = None) -> SchoolCalendar:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return SchoolCalendar(read_periods(f), la=la)
