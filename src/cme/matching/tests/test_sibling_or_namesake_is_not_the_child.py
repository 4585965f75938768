"""A brother, sister, twin or namesake of a rolled pupil is not the referred child (issue 8,
point 1): household and name agreement are evidence of the family and the name, not the child."""

from datetime import date
from typing import Any

import pytest

from cme.matching.engine import Index, Matcher, Model, Person
from cme.matching.tests.conftest import FILLER, ROLL

HOME: dict[str, Any] = dict(surname="Burton", postcode="NM9 4QR", address="17 Orchard Way, Northmoor")
HOUSEHOLD = [
    Person("ella", forename="Ella", middle_names="Evelyn", dob=date(2012, 4, 3), sex="F", **HOME),
    Person("jack", forename="Jack", dob=date(2015, 9, 21), sex="M", **HOME),
    # Twins, both on the roll.
    Person("amir", forename="Amir", surname="Qureshi", dob=date(2014, 6, 9), sex="M",
           postcode="NM8 1TT", address="3 Kestrel Close, Northmoor"),
    Person("zara", forename="Zara", surname="Qureshi", dob=date(2014, 6, 9), sex="F",
           postcode="NM8 1TT", address="3 Kestrel Close, Northmoor"),
    # A twin whose twin is not on the roll.
    Person("leo", forename="Leo", surname="Marsh", dob=date(2013, 2, 14), sex="M",
           postcode="NM7 2PL", address="44 Heron Road, Northmoor"),
    # A rare name, for namesakes.
    Person("peregrine", forename="Peregrine", surname="Quillfeather", dob=date(2011, 10, 30), sex="M",
           postcode="NM6 5XY", address="8 Larch Street, Northmoor"),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(Model(), Index(ROLL + FILLER + HOUSEHOLD))


def top(matcher: Matcher, **fields):
    found = matcher.match(Person("referral", **fields), limit=5)
    return found[0] if found else None


def test_sibling_with_another_forename_and_no_birthday_is_not_linked(matcher):
    # The example: "Sofia Burton", no date of birth, at Ella Evelyn Burton's address.
    best = top(matcher, forename="Sofia", **HOME)
    assert best is None or best.probability < 0.5
    assert best is None or best.household


def test_sibling_with_another_forename_and_birthday_scores_as_a_sibling(matcher):
    best = top(matcher, forename="Sofia", dob=date(2017, 1, 30), sex="F", **HOME)
    assert best is None or best.probability < 0.1
    assert any(e.field == "sibling" and e.weight < 0 for e in best.evidence)


def test_the_child_of_a_household_is_still_found(matcher):
    best = top(matcher, forename="Ella", dob=date(2012, 4, 3), **HOME)
    assert best.id == "ella" and best.probability > 0.99
    brother = top(matcher, forename="Jack", **HOME)  # no birthday: the forename says which
    assert brother.id == "jack" and brother.probability > 0.9


def test_twin_on_no_roll_is_not_the_rolled_twin(matcher):
    best = top(matcher, forename="Mia", surname="Marsh", dob=date(2013, 2, 14), sex="F",
               postcode="NM7 2PL", address="44 Heron Road, Northmoor")
    assert best.id == "leo" and best.probability < 0.5
    same_sex = top(matcher, forename="Noah", surname="Marsh", dob=date(2013, 2, 14), sex="M",
                   postcode="NM7 2PL", address="44 Heron Road, Northmoor")
    assert same_sex.probability < 0.5


def test_twins_on_the_roll_are_told_apart_by_forename(matcher):
    for name, expected in (("Amir", "amir"), ("Zara", "zara")):
        best = top(matcher, forename=name, surname="Qureshi", dob=date(2014, 6, 9),
                   postcode="NM8 1TT", address="3 Kestrel Close, Northmoor")
        assert best.id == expected and best.probability > 0.99


def test_namesake_born_years_apart_is_not_the_child(matcher):
    # The rarest name on the roll, another home, born three years later.
    best = top(matcher, forename="Peregrine", surname="Quillfeather", dob=date(2014, 7, 2), sex="M",
               postcode="NM2 9HH", address="90 Fir Avenue, Northmoor")
    assert best.id == "peregrine" and best.probability < 0.1
    assert any(e.field == "namesake" and e.weight < 0 for e in best.evidence)


def test_namesake_a_year_out_on_another_day_is_not_the_child(matcher):
    best = top(matcher, forename="Peregrine", surname="Quillfeather", dob=date(2012, 12, 5))
    assert best.probability < 0.1


def test_error_patterns_of_a_date_still_find_the_child(matcher):
    # The known errors (year one out, day and month swapped, one digit) are not a namesake's date.
    for dob in (date(2010, 10, 30), date(2011, 10, 31), date(2011, 10, 3)):
        best = top(matcher, forename="Peregrine", surname="Quillfeather", dob=dob, postcode="NM6 5XY")
        assert best.id == "peregrine" and best.probability > 0.9, dob


def test_household_candidates_are_marked(matcher):
    found = matcher.match(Person("r", forename="Sofia", **HOME), limit=5)
    assert {c.id for c in found if c.household} == {"ella", "jack"}
