"""The run of G, N or O behind a deletion under ground (i): any other code breaks it, and days with
no session (weekends, holidays, unmarked) neither count nor break it."""

import datetime as dt

from cme.attendance.codes import NO_SESSION, trailing_run

D = dt.date


def test_the_run_counts_school_days_back_from_the_date_over_weekends():
    days = [(D(2025, 1, 6), "/", "/"), (D(2025, 1, 9), "N", "G"), (D(2025, 1, 10), "O", "O"),
            (D(2025, 1, 11), NO_SESSION, NO_SESSION), (D(2025, 1, 13), "N", "N")]
    assert trailing_run(days, until=D(2025, 1, 13)) == 3
    assert trailing_run(days, until=D(2025, 1, 12)) == 2


def test_any_other_code_breaks_the_run_even_in_one_session():
    days = [(D(2025, 1, 8), "N", "N"), (D(2025, 1, 9), "N", "I"), (D(2025, 1, 10), "N", "N")]
    assert trailing_run(days, until=D(2025, 1, 10)) == 1


def test_no_marks_is_no_run():
    assert trailing_run([], until=D(2025, 1, 10)) == 0
