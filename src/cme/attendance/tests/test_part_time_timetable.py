"""part_time_timetable: C2 on each of the last 30 school days."""

from cme.attendance.screening import load_rules, screen

from .builders import as_of_after, registers, rules_fired, week, weeks

RULES = load_rules()


def fired(sessions):
    return rules_fired(screen(registers(sessions), as_of_after(sessions), RULES), 0)


def test_c2_every_afternoon_for_six_weeks_fires():
    assert "part_time_timetable" in fired(weeks(6, "/", "C2"))


def test_one_full_day_breaks_it():
    s = weeks(3, "/", "C2") + ["/", "\\"] + ["/", "C2"] * 4 + ["-"] * 4 + weeks(2, "/", "C2")
    assert "part_time_timetable" not in fired(s)


def test_twenty_nine_days_are_not_enough():
    s = weeks(5, "/", "C2") + ["/", "C2"] * 4 + ["-"] * 6
    assert "part_time_timetable" not in fired(weeks(1) + s)


def test_closure_days_are_skipped():
    s = weeks(3, "/", "C2") + week("#", "#") + weeks(3, "/", "C2")
    assert "part_time_timetable" in fired(s)
