"""UPN and ULN rules, against the test vectors in shared/reference/data-standards.md §2.3 and §3."""

import pytest

from cme.people.identifiers import uln_problem, upn_is_temporary, upn_problem


@pytest.mark.parametrize(
    "upn",
    ["B801200005001", "R674123101121", "P207000016049", "M80120000500A", "E93812345001K"],
)
def test_valid_upns_are_accepted(upn):
    assert upn_problem(upn) is None


def test_wrong_check_letter_names_the_right_one():
    assert upn_problem("A801200005001") == "The UPN’s check letter is wrong: it should be B, not A"


@pytest.mark.parametrize(
    ("upn", "words"),
    [
        ("X80120000A001", "must be a letter"),
        ("E000200005001", "LA code"),
        ("B80120000500", "13 characters"),
        ("I801200005001", "must be a letter"),
    ],
)
def test_malformed_upns_are_refused_with_a_reason(upn, words):
    assert words in upn_problem(upn)


def test_retired_la_codes_stay_valid_because_a_upn_is_for_life():
    # 909 is Cumbria, abolished in 2023.
    from cme.people.identifiers import upn_check_letter

    body = "909200112345"
    assert upn_problem(upn_check_letter("A" + body) + body) is None


def test_temporary_upn_is_recognised():
    assert upn_is_temporary("M80120000500A")
    assert not upn_is_temporary("B801200005001")


@pytest.mark.parametrize(("uln", "ok"), [("1000000000", True), ("1234567899", True), ("1234567890", False), ("9999999999", True), ("12345", False)])
def test_uln_check_digit(uln, ok):
    assert (uln_problem(uln) is None) is ok
