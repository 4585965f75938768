"""Hand-made registers for tests: weeks of marks from a Monday, and a plain reference screen."""

import datetime as dt

from cme.attendance import codes as C
from cme.attendance.screening import Registers, Rules, weekdays_after

MONDAY = dt.date(2025, 9, 1)  # a Monday, in the 2024 regime


def week(am: str = "/", pm: str = "\\", days: int = 5) -> list[str]:
    """Sessions for one week from Monday: `days` school days, then no session to Sunday."""
    return [am, pm] * days + ["-", "-"] * (7 - days)


def weeks(n: int, am: str = "/", pm: str = "\\") -> list[str]:
    return week(am, pm) * n


def registers(*pupils: list[str], start: dt.date = MONDAY, laestab: str = "9011001") -> Registers:
    return Registers.from_codes([(f"A90110125{i:03d}A"[:13], laestab, start, sessions)
                                 for i, sessions in enumerate(pupils)])


def as_of_after(sessions: list[str], start: dt.date = MONDAY) -> dt.date:
    """The date of the last day the sessions cover."""
    return start + dt.timedelta(days=(len(sessions) + 1) // 2 - 1)


def rules_fired(findings, upn_index: int | None = None) -> set[str]:
    return {f.rule for f in findings
            if upn_index is None or f.upn == f"A90110125{upn_index:03d}A"[:13]}


# -- a plain, slow reading of issue 4's definitions, to check the vectorised engine against --


def _category(code: str, day: dt.date, rules: Rules) -> C.Category:
    if code == "-":
        return C.Category.NO_SESSION
    overrides = rules.category_overrides
    if code in overrides:
        return C.CATEGORY_NAMES[overrides[code]]
    return C.regime_codes(day)[code].category


def _as_2024(code: str) -> str:
    return C.PRE_2024_EQUIVALENT.get(code, code)


def reference_screen(rows, as_of: dt.date, rules: Rules) -> set[tuple[str, str, str]]:
    t = rules.default
    out = set()
    latest: dict[str, dt.date | None] = {}
    for upn, laestab, start, sessions in rows:
        days = []
        for k in range(0, len(sessions), 2):
            day = start + dt.timedelta(days=k // 2)
            if day > as_of:
                break
            pair = [s for s in sessions[k:k + 2]]
            days.append((day, pair))
        school = [(d, p) for d, p in days if any(s != "-" for s in p)]
        latest.setdefault(laestab, None)
        if school:
            last = school[-1][0]
            latest[laestab] = last if latest[laestab] is None else max(latest[laestab], last)

        def possible(d, p):
            return [s for s in p if _category(s, d, rules).possible]

        counted = [(d, p) for d, p in school if possible(d, p)]
        run, brk = 0, None
        for d, p in reversed(counted):
            if all(_as_2024(s) in rules.continuous_absence_codes for s in possible(d, p)):
                run += 1
            else:
                brk = (d, p)
                break
        if run >= t.continuous_absence_10:
            out.add((upn, laestab, "continuous_absence_10"))
        if run >= t.continuous_absence_20:
            out.add((upn, laestab, "continuous_absence_20"))
        if run >= t.not_returned_after_leave and brk and any(
                _as_2024(s) in rules.leave_codes for s in brk[1]):
            out.add((upn, laestab, "not_returned_after_leave"))
        for rule, window, minimum, pct in (
                ("severe_absence", t.severe_window, t.severe_min_possible, t.severe_percent),
                ("persistent_absence", t.persistent_window, t.persistent_min_possible, t.persistent_percent)):
            last_days = school[-window:]
            poss = sum(len(possible(d, p)) for d, p in last_days)
            attended = sum(1 for d, p in last_days for s in p if _category(s, d, rules).attended)
            if poss >= minimum and (poss - attended) * 100 >= poss * pct:
                out.add((upn, laestab, rule))
        pt = 0
        for d, p in reversed(counted):
            if any(_as_2024(s) in rules.part_time_codes for s in p):
                pt += 1
            else:
                break
        if pt >= t.part_time_timetable:
            out.add((upn, laestab, "part_time_timetable"))
    for laestab, day in latest.items():
        if day is None or weekdays_after(day, as_of) > t.registers_missing_weekdays:
            out.add(("", laestab, "registers_missing"))
    return out
