"""LA codes, establishment numbers, LAESTABs and URNs are checked, with the CTF pseudo-codes allowed."""

from cme.providers.identifiers import (
    estab_problem,
    la_code_problem,
    laestab_problem,
    normalise_laestab,
    urn_problem,
)


def test_la_code_is_three_digits_of_a_known_authority():
    assert la_code_problem("901") is None
    assert la_code_problem("90") == "An LA code must be 3 digits"
    assert "not the code of a local authority" in la_code_problem("999")


def test_pseudo_codes_are_allowed_only_where_asked():
    assert la_code_problem("XXX", allow_pseudo=True) is None
    assert la_code_problem("XXX") is not None
    assert estab_problem("LLLL", allow_pseudo=True) is None
    assert laestab_problem("XXXXXXX") is None


def test_establishment_number_laestab_and_urn_formats():
    assert estab_problem("2001") is None
    assert estab_problem("201") == "An establishment number must be 4 digits"
    assert laestab_problem("9012001") is None
    assert "7 digits" in laestab_problem("901200")
    assert urn_problem("140007") is None
    assert urn_problem("14000A") == "A URN must be 6 digits"
    assert normalise_laestab("901/2001") == "9012001"
