"""The rules file: thresholds per LA, a source for every rule, a stricter vulnerable profile."""

from fractions import Fraction

import pytest

from cme.attendance.screening import (
    DEFAULT_RULES,
    RULE_NAMES,
    RulesError,
    load_rules,
    parse_rules,
    screen,
)

from .builders import as_of_after, registers, weeks


def test_shipped_rules_describe_every_rule_in_plain_words_with_its_source_apart():
    rules = load_rules()
    assert set(rules.descriptions) == set(RULE_NAMES) == set(rules.sources)
    assert all(("SR " in d or "SI 2024/208" in d or "DfE" in d) for d in rules.sources.values())
    # What an officer reads carries no citation or verification note.
    for d in rules.descriptions.values():
        assert not any(mark in d for mark in ("SR ", "SI 20", "reg ", "[", "unverified")), d
    assert rules.default.severe_percent == Fraction(50)
    assert rules.vulnerable.continuous_absence_10 == 5


def test_vulnerable_children_get_the_stricter_thresholds():
    s = weeks(3) + weeks(1, "N", "N")
    regs = registers(s, s)
    found = screen(regs, as_of_after(s), load_rules(), vulnerable=[False, True])
    assert [(f.upn[-4:], f.rule) for f in found if f.rule.startswith("continuous")] == [
        ("001A", "continuous_absence_10")]


def test_fractional_percent_compares_exactly():
    text = DEFAULT_RULES.read_text().replace("missed_percent = 10", "missed_percent = 12.5")
    assert parse_rules(text).default.persistent_percent == Fraction(25, 2)


@pytest.mark.parametrize(("change", "message"), [
    (("school_days = 10\n", "school_days = 0\n"), "rules.continuous_absence_10.school_days"),
    (("missed_percent = 50", "missed_percent = 150"), "rules.severe_absence.missed_percent"),
    (('continuous_absence = ["G", "N", "O"]', 'continuous_absence = ["G", "NN"]'), "codes.continuous_absence"),
    (('[vulnerable.continuous_absence_10]\nschool_days = 5', '[vulnerable.continuous_absence_10]\ndays = 5'),
     "vulnerable.continuous_absence_10.days"),
    (("# Q = \"authorised\"", 'Q = "sometimes"'), "codes.categories"),
])
def test_bad_rules_name_the_key(change, message):
    text = DEFAULT_RULES.read_text()
    assert change[0] in text
    with pytest.raises(RulesError, match=message):
        parse_rules(text.replace(change[0], change[1], 1))


def test_every_rule_needs_a_description():
    text = DEFAULT_RULES.read_text()
    start = text.index('description = "No register marked')
    with pytest.raises(RulesError, match=r"rules\.registers_missing\.description"):
        parse_rules(text[:start] + text[text.index("\n", start) + 1:])


def test_opens_referral_defaults_and_must_be_true_or_false():
    from cme.attendance import screening as s

    rules = s.load_rules()
    assert "continuous_absence_10" in rules.opens_referral
    assert "persistent_absence" not in rules.opens_referral
    assert "registers_missing" not in rules.opens_referral
    text = s.DEFAULT_RULES.read_text(encoding="utf-8")
    with pytest.raises(s.RulesError, match="opens_referral"):
        s.parse_rules(text.replace("[rules.persistent_absence]\nopens_referral = false",
                                   '[rules.persistent_absence]\nopens_referral = "no"'))
