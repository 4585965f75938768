"""Demo term dates and registers: believable attendance for this academic year up to today.

Both demo authorities get the shipped demo calendar (cme/attendance/data/term-dates-demo.csv),
loaded through the term-dates import. Every pupil on the roll of a school, PRU or alternative
provision then gets a register for the current academic year, made in bulk with numpy from the
calendar: most attend well, some are persistently or severely absent, a few have been absent
without reason for 10 and 20+ school days, one has not come back after a leave of absence, a
few are on part-time timetables (C2), and one alternative provision stopped sending registers
two weeks ago. Everything comes from one seeded generator, so the demo is the same every time
for the same day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from django.utils import timezone

from cme.attendance import calendar as cal
from cme.attendance import codes as C
from cme.attendance.models import RegisterYear
from cme.attendance.services import term_dates_import
from cme.providers.models import Enrolment, Organisation, OrgKind

REGISTER_KINDS = (OrgKind.SCHOOL, OrgKind.PRU, OrgKind.ALTERNATIVE_PROVISION)
WEEKS = dt.timedelta(weeks=52)

# Reasons for a day off, and how often each is given (whole days, both sessions).
ABSENCE_CODES = {"I": 0.52, "M": 0.10, "N": 0.08, "O": 0.08, "G": 0.08, "C": 0.04, "R": 0.02,
                 "E": 0.02, "S": 0.01, "T": 0.01, "U": 0.04}
B = {code: C.encode(code) for code in ["/", "\\", "L", "-", "N", "O", "C", "C2", *ABSENCE_CODES]}


def demo_term_dates(la: Organisation, today: dt.date) -> str:
    """The demo calendar for this LA: the shipped rows with the LA's code for 901, its providers'
    rows where it has a provider with that establishment number, and, when the file ends before
    this academic year, its last year again, moved on by whole 52-week steps (same weekdays)."""
    providers = set(Organisation.objects.filter(la=la).exclude(estab="").values_list("estab", flat=True))
    with open(cal.DEMO_CALENDAR, encoding="utf-8-sig", newline="") as f:
        periods = cal.read_periods(f)
    rows = []
    for p in periods:
        if len(p.scope) == 3:
            rows.append(cal.Period(la.la_code, p.kind, p.start, p.end, p.name))
        elif p.scope[3:] in providers:
            rows.append(cal.Period(la.la_code + p.scope[3:], p.kind, p.start, p.end, p.name))
    last_year = max(cal.academic_year_start(p.start) for p in rows if len(p.scope) == 3)
    wanted = cal.academic_year_start(today)
    if wanted > last_year:
        final = [p for p in rows if len(p.scope) == 3 and cal.academic_year_start(p.start) == last_year]
        steps = 1
        while cal.academic_year_start(final[0].start + steps * WEEKS) < wanted:
            steps += 1
        for k in range(1, steps + 1):
            rows += [cal.Period(p.scope, p.kind, p.start + k * WEEKS, p.end + k * WEEKS, p.name) for p in final]
    lines = ["scope,kind,start,end,name\n"]
    lines += [f"{p.scope},{p.kind},{p.start.isoformat()},{p.end.isoformat()},{p.name.replace(',', ' ')}\n"
              for p in rows]
    return "".join(lines)


def load_demo_term_dates(la: Organisation, today: dt.date) -> None:
    term_dates_import(actor=None, la_id=la.pk, lines=demo_term_dates(la, today).splitlines(keepends=True),
                      filename="term-dates-demo.csv")


def _take(pool: list[int], n: int) -> list[int]:
    taken, pool[:] = pool[:n], pool[n:]
    return taken


def build_demo_registers(la: Organisation, *, today: dt.date, seed: int) -> dict[str, int]:
    """Registers of the LA's pupils for this academic year up to today. Returns counts of the
    patterns made, for the log and the tests."""
    from cme.attendance.selectors import school_calendar

    calendar = school_calendar(la_id=la.pk)
    rng = np.random.default_rng(seed + int(la.la_code))
    origin = cal.academic_year_start(today)
    days = (today - origin).days + 1
    enrolments = list(
        Enrolment.objects.filter(provider__la=la, provider__kind__in=REGISTER_KINDS, entry_date__lte=today)
        .exclude(leaving_date__lt=origin)
        .order_by("pk")
        .values_list("pk", "provider_id", "provider__la_code", "provider__estab", "provider__kind",
                     "entry_date", "leaving_date"))
    if not enrolments or days <= 0:
        return {}
    n = len(enrolments)
    # School-day mask of each provider over the year so far (providers may have their own dates).
    masks: dict[int, np.ndarray] = {}
    ordinals = np.arange(origin.toordinal(), origin.toordinal() + days)
    for _, prov, code, estab, *_ in enrolments:
        if prov not in masks:
            laestab = code + estab if len(code + estab) == 7 else None
            school_days = np.array([d.toordinal() for d in calendar.school_days(laestab)])
            masks[prov] = np.isin(ordinals, school_days)
    school = np.stack([masks[e[1]] for e in enrolments])
    first = np.array([max(0, (e[5] - origin).days) for e in enrolments])
    last = np.array([days - 1 if e[6] is None else min(days - 1, (e[6] - origin).days) for e in enrolments])
    col = np.arange(days)
    school &= (col >= first[:, None]) & (col <= last[:, None])

    # Each pupil's chance of missing a day: most low, some persistent (10%+), a few severe (50%+).
    band = rng.random(n)
    rate = np.where(band < 0.80, rng.uniform(0.0, 0.06, n),
                    np.where(band < 0.97, rng.uniform(0.10, 0.30, n), rng.uniform(0.50, 0.80, n)))
    off = (rng.random((n, days)) < rate[:, None]) & school
    reason_codes = list(ABSENCE_CODES)
    reasons = np.array([B[c] for c in reason_codes], np.uint8)[
        rng.choice(len(reason_codes), size=(n, days), p=np.array(list(ABSENCE_CODES.values())))]
    late = (rng.random((n, days)) < 0.02) & school & ~off
    am = np.where(off, reasons, np.where(late, B["L"], B["/"])).astype(np.uint8)
    pm = np.where(off, reasons, B["\\"]).astype(np.uint8)

    # The special patterns, on pupils at schools who are on roll all term.
    pool = [i for i in rng.permutation(n).tolist()
            if enrolments[i][4] == OrgKind.SCHOOL and first[i] == 0 and last[i] == days - 1]
    made = defaultdict(int)

    def last_school_days(i: int, k: int, skip: int = 0) -> np.ndarray:
        idx = np.flatnonzero(school[i])
        return idx[max(0, len(idx) - k - skip):len(idx) - skip]

    for i in _take(pool, 3):  # absent without reason for 10 to 15 school days
        d = last_school_days(i, int(rng.integers(10, 16)))
        am[i, d] = pm[i, d] = B["N"] if rng.random() < 0.5 else B["O"]
        made["continuous_absence_10"] += 1
    for i in _take(pool, 2):  # for 20 to 30 school days
        d = last_school_days(i, int(rng.integers(20, 31)))
        am[i, d] = pm[i, d] = B["O"]
        made["continuous_absence_20"] += 1
    for i in _take(pool, 1):  # leave of absence, then not back
        gone = last_school_days(i, 12)
        leave = last_school_days(i, 5, skip=12)
        am[i, leave] = pm[i, leave] = B["C"]
        am[i, gone] = pm[i, gone] = B["N"]
        made["not_returned_after_leave"] += 1
    for i in _take(pool, 4):  # part-time timetable: mornings only for the last 35 school days
        d = last_school_days(i, 35)
        am[i, d] = B["/"]
        pm[i, d] = B["C2"]
        made["part_time_timetable"] += 1

    marks = np.empty((n, 2 * days), np.uint8)
    marks[:, 0::2] = np.where(school, am, B["-"])
    marks[:, 1::2] = np.where(school, pm, B["-"])
    # One alternative provision stopped sending registers two weeks ago.
    silent = next((e[1] for e in enrolments if e[4] == OrgKind.ALTERNATIVE_PROVISION), None)
    cut = 2 * max(0, days - 14)
    if silent is not None:
        rows = [i for i, e in enumerate(enrolments) if e[1] == silent]
        marks[rows, cut:] = B["-"]
        made["registers_missing"] = 1

    now = timezone.now()
    year = origin.year
    registers = []
    for i, e in enumerate(enrolments):
        start = origin + dt.timedelta(days=int(first[i]))
        data = marks[i, 2 * int(first[i]):2 * (int(last[i]) + 1)].tobytes().rstrip(b"-")
        if not data:
            continue
        registers.append(RegisterYear(
            enrolment_id=e[0], provider_id=e[1], academic_year=year, start_date=start, marks=data,
            last_marked=start + dt.timedelta(days=(len(data) - 1) // 2), updated_at=now))
    RegisterYear.objects.bulk_create(registers, batch_size=2000)
    made["registers"] = len(registers)
    return dict(made)


def build_demo_attendance(las: list[Organisation], *, seed: int, today: dt.date | None = None, log=print) -> None:
    today = today or timezone.localdate()
    for la in las:
        load_demo_term_dates(la, today)
        made = build_demo_registers(la, today=today, seed=seed)
        log(f"{la.name}: term dates and {made.get('registers', 0):,} registers")
