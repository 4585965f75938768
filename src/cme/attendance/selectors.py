"""Reads of the school calendar and the registers.

The registers hold no names, only UPNs and marks; the screening service maps a finding back to
the child through the enrolment and then reaches the child through people's scoped selectors.
"""

from __future__ import annotations

import datetime as dt
import threading

import numpy as np
from django.db import connection
from django.db.models import Max

from cme.accounts import policy
from cme.attendance import calendar as cal
from cme.attendance import codes as C
from cme.attendance.models import CalendarPeriod, CalendarVersion, RegisterYear
from cme.attendance.screening import Registers
from cme.core import sql
from cme.providers.models import Organisation

# -- calendar --------------------------------------------------------------------------------

# la_id -> (version stamp, calendar or None). The stamp holds the update time as well as the
# number, so that a database rebuilt under the same ids (tests) never meets a stale calendar.
_calendars: dict[int, tuple[tuple, cal.SchoolCalendar | None]] = {}
_lock = threading.Lock()


class NoCalendar(LookupError):
    """The LA has loaded no term dates."""


def calendar_version(*, la_id: int) -> tuple:
    """The LA's calendar stamp, compared only with itself. Asked on every page that shows a
    clock, so written as SQL (cme.core.sql)."""
    m = CalendarVersion
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql.column(m, 'version')}, {sql.column(m, 'updated_at')} FROM {sql.table(m)}"  # noqa: S608
                       f" WHERE {sql.column(m, 'la')} = %s", [la_id])
        row = cursor.fetchone()
    return tuple(row) if row else (0, None)


def calendar_periods(*, la_id: int) -> list[cal.Period]:
    """The LA's term dates as the pure calendar reads them (provider rows scoped by LAESTAB)."""
    la_code = Organisation.objects.values_list("la_code", flat=True).get(pk=la_id)
    rows = (CalendarPeriod.objects.filter(la_id=la_id)
            .select_related("provider").order_by("start", "kind"))
    return [cal.Period(p.provider.laestab if p.provider_id else la_code, p.kind, p.start, p.end, p.name)
            for p in rows]


def school_calendar(*, la_id: int) -> cal.SchoolCalendar:
    """The LA's SchoolCalendar, kept per process and rebuilt when its version moves on (one
    small query per call). Raises NoCalendar when the LA has no term dates."""
    stamp = calendar_version(la_id=la_id)
    cached = _calendars.get(la_id)
    if cached is not None and cached[0] == stamp and stamp[0]:
        if cached[1] is None:
            raise NoCalendar(f"no term dates are loaded for LA {la_id}")
        return cached[1]
    periods = calendar_periods(la_id=la_id)
    la_code = Organisation.objects.values_list("la_code", flat=True).get(pk=la_id)
    built = cal.SchoolCalendar(periods, la=la_code) if any(p.scope == la_code for p in periods) else None
    with _lock:
        _calendars[la_id] = (stamp, built)
    if built is None:
        raise NoCalendar(f"no term dates are loaded for LA {la_id}")
    return built


def database_calendar(*, la_code: str | None = None, provider: str | None = None) -> cal.SchoolCalendar | None:
    """For `cme school-days`: the calendar in the database of the LA named by code (or by the
    provider's LAESTAB; or the only LA with term dates), or None when there is none to use (no
    term dates, no database), so that the command reads the term-dates file instead.

    Raises CalendarError when several LAs have term dates and none is named."""
    from django.db import DatabaseError

    try:
        las = Organisation.objects.filter(kind="la", calendar_version__isnull=False)
        code = la_code or (provider[:3] if provider else None)
        if code:
            las = las.filter(la_code=code)
        found = list(las.values_list("pk", "la_code")[:2])
        if len(found) > 1:
            raise cal.CalendarError("several LAs have term dates: name one with --la or --provider")
        if not found:
            return None
        return school_calendar(la_id=found[0][0])
    except NoCalendar:
        return None
    except (DatabaseError, RuntimeError):
        # No database here (a batch machine), or tests that forbid one: the file is the calendar.
        return None


class ProviderCalendar:
    """One provider's view of the LA calendar: the same questions without naming the provider."""

    def __init__(self, calendar: cal.SchoolCalendar, laestab: str | None):
        self.calendar, self.laestab = calendar, laestab

    def is_school_day(self, day: dt.date) -> bool:
        return self.calendar.is_school_day(day, self.laestab)

    def add_school_days(self, day: dt.date, n: int) -> dt.date:
        return self.calendar.add_school_days(day, n, self.laestab)

    def school_days_between(self, start: dt.date, end: dt.date) -> int:
        return self.calendar.school_days_between(start, end, self.laestab)

    def school_days(self) -> list[dt.date]:
        return self.calendar.school_days(self.laestab)


def calendar_for(*, la_id: int, provider_id: int | None = None) -> cal.SchoolCalendar:
    """The LA's school calendar (cached per process). Ask it with the provider's LAESTAB for
    per-provider days: `calendar_for(la_id=...).is_school_day(day, laestab)`; or use
    provider_calendar() to have the LAESTAB filled in. Raises NoCalendar when no term dates are
    loaded. provider_id is checked to belong to the LA."""
    if provider_id is not None and not Organisation.objects.filter(pk=provider_id, la_id=la_id).exists():
        raise NoCalendar(f"provider {provider_id} is not in LA {la_id}")
    return school_calendar(la_id=la_id)


def provider_calendar(*, la_id: int, provider_id: int | None = None) -> ProviderCalendar:
    laestab = None
    if provider_id is not None:
        provider = Organisation.objects.get(pk=provider_id, la_id=la_id)
        laestab = provider.laestab or None
    return ProviderCalendar(school_calendar(la_id=la_id), laestab)


# -- registers -------------------------------------------------------------------------------


def registers_for_screening(*, la_id: int, as_of: dt.date) -> Registers:
    """Every register of the LA's providers for the academic year of `as_of`, as screening reads
    them. `row` holds each register's enrolment id (not a file line), so a finding maps back to
    the enrolment and so to the child."""
    year = cal.academic_year_start(as_of).year
    rows = list(RegisterYear.objects.filter(provider__la_id=la_id, academic_year=year)
                .order_by("provider_id", "enrolment_id")
                .values_list("enrolment_id", "enrolment__upn", "enrolment__child__upn",
                             "provider__la_code", "provider__estab", "start_date", "marks"))
    origin = dt.date(year, 9, 1)
    if not rows:
        return Registers(np.array([], dtype="U13"), np.array([], dtype="U7"), origin,
                         np.zeros((0, 2), np.uint8), np.array([], dtype=np.int64))
    origin = min(origin, min(r[5] for r in rows))
    days = max((r[5] - origin).days + (len(r[6]) + 1) // 2 for r in rows)
    days = max(days, (as_of - origin).days + 1)
    marks = np.full((len(rows), 2 * days), C.NO_SESSION_BYTE, np.uint8)
    for i, r in enumerate(rows):
        data = bytes(r[6])
        off = 2 * (r[5] - origin).days
        marks[i, off:off + len(data)] = np.frombuffer(data, np.uint8)
    return Registers(
        upn=np.array([r[1] or r[2] or "" for r in rows]),
        laestab=np.array([f"{r[3]}{r[4]}" for r in rows]),
        origin=origin,
        marks=marks,
        row=np.array([r[0] for r in rows], dtype=np.int64),
    )


def provider_latest_marked(*, la_id: int) -> dict[str, dt.date | None]:
    """Each open provider of the LA (by LAESTAB) with the latest day it marked, None if never.

    Only providers that have ever sent a register are listed: a provider that never sent one is
    not "missing" registers, it has not joined (the page says which have never sent)."""
    latest = (RegisterYear.objects.filter(provider__la_id=la_id)
              .values("provider__la_code", "provider__estab")
              .annotate(latest=Max("last_marked")))
    return {f"{r['provider__la_code']}{r['provider__estab']}": r["latest"] for r in latest}


def register_get(*, enrolment_id: int, academic_year: int) -> RegisterYear | None:
    return RegisterYear.objects.filter(enrolment_id=enrolment_id, academic_year=academic_year).first()


def register_codes(register: RegisterYear) -> list[tuple[dt.date, str, str]]:
    """(date, AM code, PM code) for every day of a register."""
    data = bytes(register.marks)
    out = []
    for d in range(len(data) // 2):
        out.append((register.start_date + dt.timedelta(days=d), C.decode(data[2 * d]), C.decode(data[2 * d + 1])))
    return out


# -- pages -----------------------------------------------------------------------------------


def register_imports_for(*, user, limit: int = 10) -> list:
    """The latest register files loaded that the user may see: its LA's, or its provider's."""
    from cme.attendance.models import RegisterImport

    qs = RegisterImport.objects.select_related("uploaded_by", "provider")
    if user.is_la_staff:
        qs = qs.filter(la_id=user.la_id)
    else:
        qs = qs.filter(provider_id=user.organisation_id)
    return list(qs.order_by("-at")[:limit])


def la_providers(*, la_id: int) -> list[Organisation]:
    return list(Organisation.objects.filter(la_id=la_id).exclude(estab="").order_by("name"))


def term_dates_held(*, la_id: int) -> list[CalendarPeriod]:
    """The LA's periods, its own then each provider's, in date order."""
    return list(CalendarPeriod.objects.filter(la_id=la_id).select_related("provider")
                .order_by("provider__name", "start", "kind"))


def register_absence_run(*, child_id: int, provider_id: int, until: dt.date) -> int | None:
    """School days of unbroken G/N/O absence at the provider up to `until`, read from its
    registers for the child (this academic year and the last); None when it sent none."""
    year = cal.academic_year_start(until).year
    registers = RegisterYear.objects.filter(enrolment__child_id=child_id, provider_id=provider_id,
                                            academic_year__in=(year - 1, year))
    days = [day for register in registers for day in register_codes(register)]
    return C.trailing_run(days, until=until) if days else None


def _uploads_visible_to(user):
    from cme.attendance.models import RegisterUpload

    qs = RegisterUpload.objects.select_related("uploaded_by", "register_import")
    if user.is_la_staff:
        return qs.filter(la_id=user.la_id)
    return qs.filter(provider_id=user.organisation_id, la_id=user.la_id)


def register_uploads_for(*, user, limit: int = 5) -> list:
    """The user's authority's (or provider's) latest uploads still loading or just loaded."""
    return list(_uploads_visible_to(user).order_by("-created_at")[:limit])


def register_upload_get_for_user(*, user, upload_id: int):
    """One upload the user may follow (its authority's, or its own provider's); 404 otherwise."""
    from django.http import Http404

    policy.register_scope(user)  # only those who may upload registers
    upload = _uploads_visible_to(user).filter(pk=upload_id).first()
    if upload is None:
        raise Http404("No such upload")
    return upload
