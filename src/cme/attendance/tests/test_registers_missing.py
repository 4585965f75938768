"""registers_missing: a provider's latest marked day more than 5 weekdays before as-of."""

import datetime as dt

from cme.attendance.screening import Registers, load_rules, screen

from .builders import weeks

RULES = load_rules()
START = dt.date(2025, 9, 1)


def missing(as_of, *providers):
    rows = []
    for k, (laestab, sessions) in enumerate(providers):
        rows.append((f"B90110125{k:03d}A", laestab, START, sessions))
    return [f for f in screen(Registers.from_codes(rows), as_of, RULES) if f.rule == "registers_missing"]


def test_five_weekdays_is_still_fine_six_is_missing():
    s = weeks(2)  # last marked day Friday 12 September
    assert missing(dt.date(2025, 9, 19), ("9011001", s)) == []
    found = missing(dt.date(2025, 9, 22), ("9011001", s))
    assert [(f.upn, f.laestab) for f in found] == [("", "9011001")]
    assert found[0].detail == "latest marked day 2025-09-12, 6 weekdays before 2025-09-22"


def test_one_pupil_with_marks_is_enough_for_the_provider():
    assert missing(dt.date(2025, 9, 19), ("9011001", weeks(1)), ("9011001", weeks(2))) == []


def test_each_provider_is_judged_alone():
    found = missing(dt.date(2025, 9, 26), ("9011001", weeks(1)), ("9012002", weeks(4)))
    assert [f.laestab for f in found] == ["9011001"]


def test_provider_with_no_marks_at_all():
    found = missing(dt.date(2025, 9, 12), ("9011001", ["-"] * 28))
    assert found[0].detail == "no marks on or before 2025-09-12"


def test_marks_after_as_of_do_not_count():
    assert missing(dt.date(2025, 9, 26), ("9011001", weeks(2) + ["-"] * 28 + weeks(1)))
