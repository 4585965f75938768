"""Middle names as evidence (issue 16): a school's record holds the full legal name, so one
child's records agree on the middle names where a namesake's agree only by chance, and the
rarer the middle name, the more its agreement says."""

from datetime import date
from typing import Any

import numpy as np
import pytest

from cme.matching.engine import FN, LEVEL, MIDDLE, Index, Matcher, Model, Person, normalise
from cme.matching.tests.conftest import FILLER

M = LEVEL["middle_name"]
COMMON: dict[str, Any] = dict(forename="Oliver", surname="Grant", dob=date(2014, 5, 9), sex="M")


@pytest.fixture(scope="module")
def index() -> Index:
    # One pupil in eight with a middle name has James, one has Peregrine: James agreeing says less.
    others = ["Rose", "Grace", "Mae", "Louise", "Thomas", "William", "Ann", "Marie", "Lee", "Paul", "Jane"]
    middles = [Person(f"m{i}", forename=f.forename, middle_names="James" if i % 8 == 0 else others[i % 11],
                      surname=f.surname, dob=f.dob) for i, f in enumerate(FILLER[:64])]
    return Index([
        *FILLER, *middles,
        Person("oliver-james", middle_names="James", postcode="AA1 1AA", address="1 One Road, Aton", **COMMON),
        Person("oliver-peregrine", middle_names="Peregrine", postcode="BB2 2BB", address="2 Two Road, Bton", **COMMON),
        Person("oliver-none", postcode="CC3 3CC", address="3 Three Road, Cton", **COMMON),
        Person("harper", forename="Harper", middle_names="Isabel", surname="Holt", dob=date(2013, 1, 7), sex="F"),
    ])


def middle_levels(index: Index, **referral) -> dict[str, int]:
    rows = np.array([index.row_of[i] for i in ("oliver-james", "oliver-peregrine", "oliver-none")], dtype=np.int32)
    n = normalise(Person("lost", **COMMON, **referral))
    s = Matcher(Model(), index).score(n, rows)
    return dict(zip(("oliver-james", "oliver-peregrine", "oliver-none"), s.levels[:, MIDDLE].tolist(), strict=True))


def test_middle_names_fall_into_their_levels(index):
    assert middle_levels(index, middle_names="Peregrine") == {
        "oliver-james": M["different"], "oliver-peregrine": M["same"], "oliver-none": -1}
    assert middle_levels(index, middle_names="P")["oliver-peregrine"] == M["initial"]
    assert middle_levels(index, middle_names="Peregrin")["oliver-peregrine"] == M["close_spelling"]
    assert set(middle_levels(index).values()) == {-1}  # none given: nothing to compare


def test_the_namesake_with_the_same_middle_name_is_the_likelier_child(index):
    found = Matcher(Model(), index).match(Person("lost", middle_names="Peregrine", **COMMON), limit=3)
    assert found[0].id == "oliver-peregrine" and found[0].probability > 0.9
    by_id = {c.id: c for c in found}
    assert next(e for e in by_id["oliver-james"].evidence if e.field == "middle_name").weight < 0
    assert not any(e.field == "middle_name" for e in by_id["oliver-none"].evidence)


def test_a_rare_middle_name_agreeing_says_more_than_a_common_one(index):
    matcher = Matcher(Model(), index)

    def middle_weight(name: str, target: str) -> float:
        found = {c.id: c for c in matcher.match(Person("lost", middle_names=name, **COMMON), limit=3)}
        return next(e.weight for e in found[target].evidence if e.field == "middle_name")

    assert middle_weight("Peregrine", "oliver-peregrine") > middle_weight("James", "oliver-james") > 0


def test_a_child_known_by_the_middle_name_is_not_counted_against_it(index):
    """Isabel Harper Holt on one record, Harper (middle name Isabel) on the next school's: the
    forename comparison has weighed the middle name; the middle names are not 'different'."""
    n = normalise(Person("lost", forename="Isabel", middle_names="Harper", surname="Holt", dob=date(2013, 1, 7)))
    s = Matcher(Model(), index).score(n, np.array([index.row_of["harper"]], dtype=np.int32))
    assert s.levels[0, FN] == LEVEL["forename"]["middle_name"]
    assert s.levels[0, MIDDLE] == -1


def test_a_caller_that_weighs_middle_names_by_its_own_rules_can_leave_them_out(index):
    matcher = Matcher(Model(), index)
    n = normalise(Person("lost", middle_names="Peregrine", **COMMON))
    rows = np.array([index.row_of["oliver-peregrine"], index.row_of["oliver-james"]], dtype=np.int32)
    s = matcher.score(n, rows, unweighed=(MIDDLE,))
    assert (s.levels[:, MIDDLE] == -1).all() and (s.weights[:, MIDDLE] == 0).all()
    assert s.evidence[0, 0] == pytest.approx(s.evidence[1, 0])  # otherwise alike: the same weight
