"""not_returned_after_leave: a ten-day run straight after a leave of absence (C)."""

import datetime as dt

from cme.attendance.screening import Registers, load_rules, screen

from .builders import as_of_after, registers, rules_fired, week, weeks

RULES = load_rules()


def fired(sessions, start=None):
    regs = registers(sessions) if start is None else Registers.from_codes(
        [("A90110125000A", "9011001", start, sessions)])
    return rules_fired(screen(regs, as_of_after(sessions, start or dt.date(2025, 9, 1)), RULES), 0)


def test_leave_then_ten_days_absent():
    assert "not_returned_after_leave" in fired(weeks(1) + week("C", "C") + weeks(2, "O", "N"))


def test_the_c_must_be_on_the_school_day_just_before_the_run():
    s = weeks(1) + week("C", "C")[:8] + ["/", "\\"] + ["-"] * 4 + weeks(2, "O", "N")
    assert "not_returned_after_leave" not in fired(s)
    assert "continuous_absence_10" in fired(s)


def test_days_with_no_possible_session_between_leave_and_run_are_skipped():
    s = weeks(1) + week("C", "C") + week("#", "#") + weeks(2, "O", "N")
    assert "not_returned_after_leave" in fired(s)


def test_one_session_of_c_is_enough():
    s = weeks(1) + week("/", "\\")[:8] + ["C", "O"] + ["-"] * 4 + weeks(2, "O", "N")
    assert "not_returned_after_leave" in fired(s)


def test_shorter_run_after_leave_does_not_fire():
    s = weeks(1) + week("C", "C") + week("O", "N") + ["N", "N"] * 4 + ["-"] * 6
    assert "not_returned_after_leave" not in fired(s)


def test_agreed_holiday_before_2024_reads_as_leave():
    # H was withdrawn on 19 August 2024; in older registers it is the leave of absence.
    s = week("H", "H") + weeks(2, "O", "N")
    assert "not_returned_after_leave" in fired(s, start=dt.date(2024, 6, 3))
