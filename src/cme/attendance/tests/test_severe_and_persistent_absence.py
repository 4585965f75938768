"""severe_absence and persistent_absence over the last 30 school days, in whole numbers."""

from cme.attendance.screening import load_rules, screen

from .builders import as_of_after, registers, rules_fired, week, weeks

RULES = load_rules()


def fired(sessions):
    return rules_fired(screen(registers(sessions), as_of_after(sessions), RULES), 0)


def test_exactly_ten_percent_missed_is_persistent():
    # 30 school days, 60 possible sessions, 6 missed (I is authorised but still missed).
    s = weeks(5) + ["I", "I"] * 3 + ["/", "\\"] * 2 + ["-"] * 4
    out = screen(registers(s), as_of_after(s), RULES)
    persistent = next(f for f in out if f.rule == "persistent_absence")
    assert persistent.evidence == {"missed": 6, "possible": 60, "attended": 54, "school_days": 30,
                                   "from": "2025-09-01", "to": "2025-10-10"}
    assert "severe_absence" not in rules_fired(out)


def test_just_under_ten_percent_is_not():
    s = weeks(5) + ["I", "I"] * 2 + ["I", "/"] + ["/", "\\"] * 2 + ["-"] * 4
    assert "persistent_absence" not in fired(s)


def test_half_missed_is_severe_and_persistent():
    s = weeks(3) + weeks(3, "O", "N")
    assert {"severe_absence", "persistent_absence"} <= fired(s)


def test_only_the_last_30_school_days_count():
    s = weeks(10, "N", "N") + weeks(6)
    assert not {"severe_absence", "persistent_absence"} & fired(s)


def test_approved_activity_counts_as_attendance():
    s = weeks(3, "K", "V") + weeks(3, "B", "W")
    assert "persistent_absence" not in fired(s)


def test_fewer_than_10_possible_sessions_fire_neither():
    # Four days absent, everything else not possible (not yet on roll, Z): 8 possible sessions.
    s = weeks(5, "Z", "Z") + ["N", "N"] * 4 + ["Z", "Z"] + ["-"] * 4
    assert not {"severe_absence", "persistent_absence"} & fired(s)


def test_ten_possible_sessions_are_enough():
    s = weeks(5, "Z", "Z") + ["N", "N"] * 5 + ["-"] * 4
    assert {"severe_absence", "persistent_absence"} <= fired(s)


def test_not_possible_days_are_school_days_in_the_window():
    # A day is a school day when it has any mark but "-": a closure (#) is one, with no possible
    # session, so 25 days present and 5 days closed give 50 possible sessions, none missed.
    s = weeks(5) + week("#", "#")
    out = screen(registers(s), as_of_after(s), RULES)
    assert "persistent_absence" not in rules_fired(out)
