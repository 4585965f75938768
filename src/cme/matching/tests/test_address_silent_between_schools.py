"""Between a child's old school and the next, an address that differs says nothing (families
move), while one that agrees still counts: `Matcher.score(..., silent_when_different=(ADDR,))`."""

from datetime import date

import numpy as np

from cme.matching.engine import ADDR, Index, Matcher, Model, Person, normalise
from cme.matching.tests.conftest import FILLER


def _scores(address: str, postcode: str):
    record = Person("next", forename="Leo", surname="Hartley", dob=date(2014, 3, 12), sex="M",
                    postcode="NM7 9XY", address="3 New Road")
    matcher = Matcher(Model(), Index([record, *FILLER]))
    leaver = normalise(Person("old", forename="Leo", surname="Hartley", dob=date(2014, 3, 12), sex="M",
                              postcode=postcode, address=address))
    row = np.array([matcher.index.ids.index("next")])
    return matcher.score(leaver, row), matcher.score(leaver, row, silent_when_different=(ADDR,))


def test_an_address_that_differs_weighs_as_missing_when_silent():
    plain, silent = _scores("12 Mill Lane", "NM1 2AB")
    missing, _ = _scores("", "")
    assert plain.child[0] < silent.child[0]
    assert silent.levels[0, ADDR] == -1
    assert silent.child[0] == missing.child[0] and silent.sibling[0] == missing.sibling[0]


def test_an_address_that_agrees_still_counts_when_silent():
    plain, silent = _scores("3 New Road", "NM7 9XY")
    missing, _ = _scores("", "")
    assert silent.child[0] == plain.child[0] > missing.child[0]
