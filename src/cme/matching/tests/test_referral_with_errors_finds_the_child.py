"""Each kind of error a referral carries (issue 3, point 3) still finds the right child."""

from datetime import date

import pytest

from cme.matching.tests.conftest import best

CASES = {
    "misspelt forename": dict(forename="Wiliam", surname="Hartley", dob=date(2014, 3, 12)),
    "misspelt surname": dict(forename="Elizabeth", surname="Okafur", dob=date(2013, 7, 1)),
    "nickname": dict(forename="Bill", surname="Hartley", dob=date(2014, 3, 12)),
    "diminutive Liam": dict(forename="Liam", surname="Hartley", dob=date(2014, 3, 12)),
    "Beth for Elizabeth": dict(forename="Beth", surname="Okafor", dob=date(2013, 7, 1)),
    "preferred name": dict(forename="Liv", surname="Taylor", dob=date(2012, 11, 5)),
    "former surname": dict(forename="Olivia", surname="Wisniewski", dob=date(2012, 11, 5)),
    "one part of a double-barrelled surname": dict(forename="Amelia", surname="Jones", dob=date(2016, 5, 23)),
    "double-barrelled written with a space": dict(forename="Amelia", surname="Smith Jones", dob=date(2016, 5, 23)),
    "forename and surname swapped": dict(forename="Okafor", surname="Elizabeth", dob=date(2013, 7, 1)),
    "day and month swapped": dict(forename="William", surname="Hartley", dob=date(2014, 12, 3)),
    "one digit of the date of birth wrong": dict(forename="Elizabeth", surname="Okafor", dob=date(2013, 7, 4)),
    "year of birth one out": dict(forename="Elizabeth", surname="Okafor", dob=date(2012, 7, 1)),
    "no date of birth": dict(forename="Aleksander", surname="Nowak", postcode="NM6 8LM"),
    "only surname and date of birth": dict(surname="Chowdhury", dob=date(2015, 1, 20)),
    "Mohammed for Muhammad": dict(forename="Mohammed", surname="Chowdhury", dob=date(2015, 1, 20)),
    "Mohamed for Muhammad": dict(forename="Mohamed", surname="Chowdhury", dob=date(2015, 1, 20)),
    "Alexander for Aleksander": dict(forename="Alexander", surname="Nowak", dob=date(2011, 9, 14)),
    "accents and capitals": dict(forename="ELIZABETH", surname="Ókafor", dob=date(2013, 7, 1)),
}
EXPECTED = {
    "misspelt forename": "william", "misspelt surname": "elizabeth", "nickname": "william",
    "diminutive Liam": "william", "Beth for Elizabeth": "elizabeth", "preferred name": "olivia",
    "former surname": "olivia", "one part of a double-barrelled surname": "amelia",
    "double-barrelled written with a space": "amelia", "forename and surname swapped": "elizabeth",
    "day and month swapped": "william", "one digit of the date of birth wrong": "elizabeth",
    "year of birth one out": "elizabeth", "no date of birth": "aleksander",
    "only surname and date of birth": "muhammad", "Mohammed for Muhammad": "muhammad",
    "Mohamed for Muhammad": "muhammad", "Alexander for Aleksander": "aleksander",
    "accents and capitals": "elizabeth",
}


@pytest.mark.parametrize("kind", CASES)
def test_referral_with_error_finds_the_child_first(matcher, kind):
    candidate = best(matcher, **CASES[kind])
    assert candidate is not None
    assert candidate.id == EXPECTED[kind]
    assert candidate.probability > 0.5


def test_exact_referral_is_near_certain(matcher):
    candidate = best(matcher, forename="William", surname="Hartley", dob=date(2014, 3, 12), sex="M", postcode="NM12AB")
    assert candidate.id == "william"
    assert candidate.probability > 0.99


def test_swapped_names_are_explained_as_swapped(matcher):
    candidate = best(matcher, forename="Okafor", surname="Elizabeth", dob=date(2013, 7, 1))
    order = [e for e in candidate.evidence if e.field == "name_order"]
    assert order and order[0].level == "swapped" and order[0].weight < 0


def test_child_on_no_roll_gets_no_confident_match(matcher):
    candidate = best(matcher, forename="Zebedee", surname="Quartermaine", dob=date(2012, 6, 30))
    assert candidate is None or candidate.probability < 0.5
