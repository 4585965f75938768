"""Clocks count school days by the calendar: across half-terms, bank holidays and INSET days."""

import datetime as dt

import pytest

from cme.attendance.calendar import load_calendar
from cme.cases.queues import clocks
from cme.cases.queues.clocks import CaseFacts, ClocksError, clock_states, load_clocks, parse_clocks

D = dt.date


@pytest.fixture(scope="module")
def calendar():
    return load_calendar(la="901")


@pytest.fixture(scope="module")
def rules():
    return {r.key: r for r in load_clocks()}


def state(rules, key, calendar, today, groups=(), **events):
    facts = CaseFacts(events=events, groups=frozenset(groups))
    return clocks.clock_state(rules[key], facts, calendar, today)


def test_triage_due_after_half_term_and_the_inset_day(rules, calendar):
    # Friday 24 October 2025 ends Autumn 1; 3 November is an INSET day.
    s = state(rules, "triage", calendar, D(2025, 10, 27), referred=D(2025, 10, 24))
    assert (s.started_on, s.due_on, s.state) == (D(2025, 10, 24), D(2025, 11, 4), "running")


def test_triage_due_after_the_may_bank_holiday(rules, calendar):
    s = state(rules, "triage", calendar, D(2026, 5, 6), referred=D(2026, 5, 1))
    assert (s.due_on, s.state) == (D(2026, 5, 5), "overdue")


def test_a_weekend_referral_is_due_on_the_first_school_day_after(rules, calendar):
    s = state(rules, "triage", calendar, D(2025, 10, 25), referred=D(2025, 10, 25))
    assert s.due_on == D(2025, 11, 4)


def test_first_enquiry_over_christmas_and_the_january_inset_day(rules, calendar):
    s = state(rules, "first_enquiry", calendar, D(2026, 1, 6), opened=D(2025, 12, 19),
              first_enquiry=D(2026, 1, 6))
    assert (s.due_on, s.state, s.late) == (D(2026, 1, 7), "met", False)


def test_twenty_school_days_skip_the_february_half_term(rules, calendar):
    s = state(rules, "reasonable_enquiries", calendar, D(2026, 3, 9), groups={"missing"},
              absence_started=D(2026, 2, 2))
    assert (s.due_on, s.state) == (D(2026, 3, 9), "running")
    assert state(rules, "reasonable_enquiries", calendar, D(2026, 3, 10), groups={"missing"},
                 absence_started=D(2026, 2, 2)).state == "overdue"


def test_a_schools_own_inset_day_moves_its_due_date(rules, calendar):
    from cme.attendance.selectors import ProviderCalendar

    primary = ProviderCalendar(calendar, "9012001")  # its own INSET day on 13 February 2026
    s = clocks.clock_state(rules["reasonable_enquiries"],
                           CaseFacts({"absence_started": D(2026, 2, 2)}, frozenset({"missing"})),
                           primary, D(2026, 2, 2))
    assert s.due_on == D(2026, 3, 10)


def test_escalation_is_due_the_same_day_and_met_late_the_next(rules, calendar):
    s = state(rules, "escalation", calendar, D(2026, 3, 3), groups={"escalation"},
              escalation_needed=D(2026, 3, 2), escalated=D(2026, 3, 3))
    assert (s.due_on, s.state, s.late, s.label) == (D(2026, 3, 2), "met", True, "Met late")


def test_clock_not_applicable_outside_its_group_or_before_its_start(rules, calendar):
    assert state(rules, "looked_after_education", calendar, D(2026, 3, 2),
                 looked_after=D(2026, 3, 2)).state == "not_applicable"
    assert state(rules, "provision_accessed", calendar, D(2026, 3, 2)).state == "not_applicable"


def test_a_date_outside_the_term_dates_leaves_the_clock_running_without_a_due_date(rules, calendar):
    s = state(rules, "triage", calendar, D(2030, 1, 1), referred=D(2029, 1, 1))
    assert s.state == "running" and s.due_on is None and "outside the calendar" in s.problem
    s = clocks.clock_state(rules["triage"], CaseFacts({"referred": D(2026, 3, 2)}), None, D(2026, 3, 9))
    assert s.state == "running" and "No term dates" in s.problem


def test_every_shipped_clock_cites_its_source_apart_and_unverified_ones_say_so():
    for rule in load_clocks():
        assert any(mark in rule.source for mark in ("SR ", "Guide", "SI ")) or "Local" in rule.source
        assert "[" in rule.source, rule.key
        # The description is what officers read: plain words, no citation.
        assert not any(mark in rule.description for mark in ("SR ", "SI 20", "[", "unverified")), rule.key
    rules = {r.key: r for r in load_clocks()}
    assert "unverified" in rules["looked_after_education"].source
    assert "referral date is used" in rules["reasonable_enquiries"].description


def test_a_first_enquiry_clock_stops_when_the_child_is_located_without_one():
    import datetime as dt

    from cme.cases.queues.clocks import STOPPED, CaseFacts, clock_state

    rule = {r.key: r for r in load_clocks()}["first_enquiry"]

    class Weekdays:
        def add_school_days(self, day, n):
            while n:
                day += dt.timedelta(days=1)
                n -= day.weekday() < 5
            return day

    opened = dt.date(2026, 11, 2)
    running = clock_state(rule, CaseFacts(events={"opened": opened}), Weekdays(), dt.date(2026, 11, 20))
    assert running.state == "overdue"
    facts = CaseFacts(events={"opened": opened, "located": dt.date(2026, 11, 3)})
    stopped = clock_state(rule, facts, Weekdays(), dt.date(2026, 11, 20))
    assert stopped.state == STOPPED and stopped.label == "No longer applies" and not stopped.is_applicable


def test_an_authority_overrides_one_clock_and_switches_one_off():
    text = clocks.DEFAULT_CLOCKS.read_text() + (
        '\n[la."907".clocks.triage]\nschool_days = 2\n[la."907".clocks.provision_accessed]\nenabled = false\n'
    )
    theirs = {r.key: r for r in parse_clocks(text, la_code="907")}
    ours = {r.key: r for r in parse_clocks(text, la_code="901")}
    assert theirs["triage"].school_days == 2 and ours["triage"].school_days == 1
    assert "provision_accessed" not in theirs and "provision_accessed" in ours


@pytest.mark.parametrize(("change", "message"), [
    ("school_days = 1\n", "clock triage, field school_days"),
    ('starts = "referred"\n', "clock triage, field starts"),
    ('applies_to = "all"\n', "clock triage, field applies_to"),
])
def test_a_bad_clocks_file_names_the_clock_and_field(change, message):
    bad = {"school_days = 1\n": "school_days = -1\n", 'starts = "referred"\n': 'starts = "never"\n',
           'applies_to = "all"\n': 'applies_to = "some"\n'}[change]
    text = clocks.DEFAULT_CLOCKS.read_text().replace(change, bad, 1)
    with pytest.raises(ClocksError, match=message):
        parse_clocks(text)


def test_states_of_every_clock_in_order(rules, calendar):
    facts = CaseFacts({"referred": D(2026, 3, 2), "opened": D(2026, 3, 2), "triaged": D(2026, 3, 2)})
    states = clock_states(rules.values(), facts, calendar, D(2026, 3, 2))
    assert [s.key for s in states] == list(rules)
    assert [s.state for s in states][:2] == ["met", "running"]
