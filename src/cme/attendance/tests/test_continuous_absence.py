"""continuous_absence_10 / _20: the run of school days, ending at the latest one, absent G/N/O."""

import datetime as dt

from cme.attendance.screening import load_rules, screen

from .builders import as_of_after, registers, rules_fired, week, weeks

RULES = load_rules()


def fired(*sessions, as_of=None):
    as_of = as_of or as_of_after(sessions[0])
    return rules_fired(screen(registers(*sessions), as_of, RULES), 0)


def test_ten_school_days_of_n_and_o_fire_the_ten_day_rule():
    assert "continuous_absence_10" in fired(weeks(4) + week("N", "N") + week("O", "O"))


def test_nine_days_do_not():
    s = weeks(4) + week("N", "N") + ["O", "O"] * 4 + ["-"] * 6
    assert not {"continuous_absence_10"} & fired(s)


def test_twenty_days_fire_both():
    assert {"continuous_absence_10", "continuous_absence_20"} <= fired(weeks(2) + weeks(4, "G", "N"))


def test_u_does_not_count_toward_continuous_absence():
    # Arrived after the register closed: the child was in school, so U breaks the run.
    s = weeks(2) + weeks(2, "N", "N") + ["U", "N"] + ["N", "N"] * 4 + ["-"] * 4 + weeks(1, "N", "N")
    out = screen(registers(s), as_of_after(s), RULES)
    runs = [f for f in out if f.rule == "continuous_absence_10"]
    assert runs == []


def test_all_not_possible_days_are_skipped_neither_extending_nor_breaking():
    # 5 days N, a week of school closure (#) and transport failure (Y1), then 5 days N: one run of 10.
    s = weeks(2) + week("N", "N") + week("#", "#")[:6] + ["Y1", "Y1"] * 2 + ["-"] * 4 + week("N", "N")
    out = screen(registers(s), as_of_after(s), RULES)
    run = next(f for f in out if f.rule == "continuous_absence_10")
    assert run.evidence["school_days"] == 10
    assert run.evidence["from"] == "2025-09-15"


def test_a_half_day_not_possible_still_counts_as_absent():
    s = weeks(2) + week("N", "X") + week("N", "N")
    assert "continuous_absence_10" in fired(s)


def test_an_authorised_session_breaks_the_run():
    s = weeks(2) + week("N", "N") + ["I", "N"] + ["N", "N"] * 4 + ["-"] * 4 + week("N", "N")
    assert "continuous_absence_10" not in fired(s)


def test_run_must_reach_the_latest_school_day():
    s = weeks(2) + weeks(2, "N", "N") + week()
    assert "continuous_absence_10" not in fired(s)


def test_marks_after_as_of_are_ignored():
    s = weeks(2) + weeks(2, "O", "O") + week()
    as_of = dt.date(2025, 9, 1) + dt.timedelta(days=27)  # the Sunday before the week present
    assert "continuous_absence_10" in fired(s, as_of=as_of)


def test_detail_gives_the_dates_of_the_run():
    s = weeks(2) + weeks(2, "N", "N")
    run = next(f for f in screen(registers(s), as_of_after(s), RULES) if f.rule == "continuous_absence_10")
    assert run.detail == "10 school days absent (G, N, O: unauthorised absence) from 15 September 2025 to 26 September 2025"
    assert run.upn == "A90110125000A"
    assert run.laestab == "9011001"
