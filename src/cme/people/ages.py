"""Compulsory school age (pure: no Django).

A child reaches compulsory school age on the prescribed day on or after their fifth birthday
(31 August, 31 December or 31 March: Education Act 1996 s8(2)-(3) and the Education (Start of
Compulsory School Age) Order 1998), and stays of compulsory school age until the school leaving
date of the school year (1 September to 31 August) in which they turn 16: the last Friday in
June (Education Act 1996 s8(4); the Education (School Leaving Date) Order 1997).

These dates are not in shared/reference; they are from the statutes above [secondary], so the
prescribed days and the leaving date rule are parameters a caller can change.
"""

from __future__ import annotations

import datetime as dt

PRESCRIBED_DAYS = ((3, 31), (8, 31), (12, 31))  # (month, day)


def csa_starts(date_of_birth: dt.date, prescribed_days=PRESCRIBED_DAYS) -> dt.date:
    """The day the child reaches compulsory school age."""
    fifth = _birthday(date_of_birth, 5)
    for year in (fifth.year, fifth.year + 1):
        for month, day in prescribed_days:
            candidate = dt.date(year, month, day)
            if candidate >= fifth:
                return candidate
    raise AssertionError("unreachable: a prescribed day falls within a year")


def csa_ends(date_of_birth: dt.date) -> dt.date:
    """The last day of compulsory school age: the last Friday in June of the school year in
    which the child turns 16 (a child turning 16 in July or August leaves that June)."""
    sixteenth = _birthday(date_of_birth, 16)
    # The school year runs 1 September to 31 August: its June is in the calendar year it ends.
    june_year = sixteenth.year + 1 if sixteenth.month >= 9 else sixteenth.year
    last = dt.date(june_year, 6, 30)
    return last - dt.timedelta(days=(last.weekday() - 4) % 7)


def is_compulsory_school_age(date_of_birth: dt.date | None, on: dt.date) -> bool | None:
    """Whether a child is of compulsory school age on a day; None when the birth date is unknown
    (the caller decides: screening keeps such a child rather than lose them)."""
    if date_of_birth is None:
        return None
    return csa_starts(date_of_birth) <= on <= csa_ends(date_of_birth)


def _birthday(date_of_birth: dt.date, age: int) -> dt.date:
    try:
        return date_of_birth.replace(year=date_of_birth.year + age)
    except ValueError:  # born on 29 February: the birthday is 1 March in other years
        return dt.date(date_of_birth.year + age, 3, 1)
