"""The retention schedule file: the default parses, every period names its source, and a bad file
is refused with a message naming the table and the field (nothing is disposed of by a bad file)."""

import datetime as dt

import pytest

from cme.dataprotection import schedule
from cme.dataprotection.schedule import ScheduleError, parse

GOOD = schedule.DEFAULT_PATH.read_text(encoding="utf-8")


def test_the_default_schedule_covers_every_record_type_each_with_its_source():
    rules = schedule.load()
    assert set(rules) == set(schedule.RECORD_TYPES)
    assert all(r.source for r in rules.values())
    assert rules["register_year"].keep_years == 6 and "[verified]" in rules["register_year"].source
    assert rules["child"].keep_until_age == 25
    assert rules["audit_event"].action == "anonymise"
    # Anything not checked against the official text says so.
    assert all("[verified]" in r.source or "unverified" in r.source or "[secondary]" in r.source
               for r in rules.values())


def test_a_childs_record_is_kept_until_the_later_of_the_25th_birthday_and_six_years_after_the_last_action():
    rule = schedule.load()["child"]
    born, last = dt.date(2000, 5, 1), dt.date(2019, 1, 10)
    assert rule.kept_until(last_action=last, born=born) == dt.date(2025, 5, 1)
    assert rule.kept_until(last_action=dt.date(2021, 1, 10), born=born) == dt.date(2027, 1, 10)
    assert not rule.is_past(as_of=dt.date(2025, 5, 1), last_action=last, born=born)  # the day itself kept
    assert rule.is_past(as_of=dt.date(2025, 5, 2), last_action=last, born=born)
    assert rule.kept_until(last_action=last, born=None) == dt.date(2025, 1, 10)  # birthday not known
    assert schedule.add_years(dt.date(2004, 2, 29), 25) == dt.date(2029, 3, 1)


@pytest.mark.parametrize(("change", "message"), [
    (("[email]", "[emails]"), "[emails]: not a record type"),
    (('action = "anonymise"\nkeep_years = 6\nsource = "Six years, the longest',
      'action = "delete"\nkeep_years = 6\nsource = "Six years, the longest'), "[audit_event] action: 'delete'"),
    (("keep_years = 2\n", "keep_years = -1\n"), "[email] keep_years: -1"),
    (("keep_years = 6\nsource = \"The School", "keep_years = 3\nsource = \"The School"),
     "[register_year] keep_years: 3 is less than the 6 years the law requires"),
    (('source = "One year [unverified: configurable]."', 'source = ""'), "[peer_message] source"),
    (("keep_years = 1\n", "keep_years = 1\nkeep_for = 3\n"), "[peer_message] keep_for: not a setting"),
    (("[child]", "[child"), "not valid TOML"),
])
def test_a_bad_schedule_is_refused_naming_the_table_and_field(change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(ScheduleError) as e:
        parse(GOOD.replace(old, new, 1), where="retention.toml")
    assert message in str(e.value) and str(e.value).startswith("retention.toml: ")


def test_a_record_type_left_out_is_refused():
    without = GOOD[:GOOD.index("[peer_message]")]
    with pytest.raises(ScheduleError, match=r"\[peer_message\]: missing"):
        parse(without)
