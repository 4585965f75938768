"""The DfE attendance codes of both regimes, their categories and their one-byte encoding."""

import datetime as dt

import pytest

from cme.attendance import codes as C

Cat = C.Category


@pytest.mark.parametrize(("category", "expected"), [
    (Cat.PRESENT, {"/", "\\", "L"}),
    (Cat.APPROVED_ACTIVITY, {"K", "V", "P", "W", "B"}),
    (Cat.AUTHORISED, {"C1", "M", "J1", "S", "C2", "C", "T", "R", "I", "E"}),
    (Cat.UNAUTHORISED, {"G", "N", "O", "U"}),
    (Cat.NOT_POSSIBLE, {"D", "X", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "#"}),
])
def test_2024_code_set_by_category(category, expected):
    assert {c for c, code in C.CODES_2024.items() if code.category == category} == expected


def test_every_code_has_a_meaning():
    assert all(code.meaning for code in [*C.CODES_2024.values(), *C.CODES_PRE_2024.values()])


def test_regime_is_chosen_by_session_date():
    assert C.regime_codes(dt.date(2024, 8, 18)) is C.CODES_PRE_2024
    assert C.regime_codes(dt.date(2024, 8, 19)) is C.CODES_2024


def test_pre_2024_codes_keep_their_category_and_map_to_a_2024_code():
    assert C.CODES_PRE_2024["J"].category == Cat.APPROVED_ACTIVITY  # then, an interview counted
    assert C.CODES_PRE_2024["H"].category == Cat.AUTHORISED
    assert C.CODES_PRE_2024["Y"].category == Cat.NOT_POSSIBLE
    assert C.PRE_2024_EQUIVALENT["H"] == "C"
    assert C.PRE_2024_EQUIVALENT["J"] == "J1"
    assert set(C.PRE_2024_EQUIVALENT) == set(C.CODES_PRE_2024)
    assert set(C.PRE_2024_EQUIVALENT.values()) <= set(C.CODES_2024)


def test_each_code_has_its_own_byte_and_decodes_back():
    all_codes = {*C.CODES_2024, *C.CODES_PRE_2024, "-"}
    bytes_ = {C.encode(c) for c in all_codes}
    assert len(bytes_) == len(all_codes)
    assert all(C.decode(C.encode(c)) == c for c in all_codes)
    assert C.encode("/") == ord("/")  # one-character codes are their own ASCII byte
    assert all(C.encode(c) >= 0x80 for c in C.TWO_CHARACTER_BYTES)


def test_unknown_codes_are_refused():
    with pytest.raises(KeyError):
        C.encode("Q7")
    with pytest.raises(KeyError):
        C.encode("A")


def test_validity_depends_on_the_regime():
    old, new = C.valid_table(pre_2024=True), C.valid_table(pre_2024=False)
    assert old[ord("H")] and not new[ord("H")]
    assert new[C.encode("C2")] and not old[C.encode("C2")]
    assert new[ord("K")] and not old[ord("K")]
    assert old[ord("-")] and new[ord("-")]


def test_statistical_treatment_can_be_overridden():
    table = C.category_table({"Q": "authorised"})
    assert table[ord("Q")] == Cat.AUTHORISED
    assert C.category_table()[ord("Q")] == Cat.NOT_POSSIBLE
    with pytest.raises(ValueError, match="Unknown category"):
        C.category_table({"Q": "sometimes"})


def test_historic_codes_match_rules_written_in_2024_codes():
    assert C.bytes_for_codes(["C"]) == {ord("C"), ord("H"), ord("F")}


def test_unknown_code_message_names_pupil_date_and_session():
    err = C.UnknownCodeError(code="Q7", upn="A901100000001", session_date=dt.date(2025, 10, 3),
                             session="PM", row=17)
    assert str(err) == ("row 17, field marks: unknown attendance code 'Q7' for pupil A901100000001 "
                        "on 2025-10-03 PM (codes from 19 August 2024)")
