"""The timing comparison (issue 16): a lost pupil turns up at the next school within weeks of
leaving the last, mid-year, where a namesake has mostly been on roll since the start of the key
stage. Evidence only when both dates are given; missing, it changes nothing."""

from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
import pytest

from cme.matching import batch
from cme.matching.engine import LEVEL, TIMING, Index, Matcher, Model, Person, normalise, train
from cme.matching.tests.conftest import FILLER

T = LEVEL["timing"]
LEFT = date(2025, 11, 14)


def levels(*entries: date | None, left: date | None = LEFT) -> list[int]:
    roll = [Person(f"p{i}", forename="Ada", surname="Lovelace", entry_date=e) for i, e in enumerate(entries)]
    index = Index(roll)
    rows = np.array([index.row_of[p.id] for p in roll], dtype=np.int32)
    return index.timing(normalise(Person("lost", forename="Ada", surname="Lovelace", leaving_date=left)), rows).tolist()


def test_entry_dates_fall_into_their_levels():
    assert levels(
        date(2025, 12, 1),  # a fortnight after leaving, mid-year
        date(2025, 10, 1),  # six weeks before: on the next roll before the last let go
        date(2026, 9, 2),  # the September after: a normal start, not soon
        date(2026, 3, 20),  # four months after, mid-year
        date(2022, 9, 5),  # on this roll since Year 7
        date(2027, 1, 11),  # more than a year after
        None,  # the roll gave no entry date
    ) == [T["in_year_soon"], T["in_year_soon"], T["within_a_year"], T["within_a_year"], T["before"],
          T["long_after"], -1]
    # A summer leaver who starts at the next school in September: soon, but at an intake.
    assert levels(date(2025, 9, 3), left=date(2025, 7, 18)) == [T["intake_soon"]]
    assert levels(date(2025, 12, 1), left=None) == [-1]  # no leaving date: nothing to compare


@pytest.fixture(scope="module")
def national() -> Index:
    """Two namesakes on the rolls: one on roll since reception, one admitted a fortnight after the
    lost child left; the lost-pupil record's UPN is one no school was sent."""
    common: dict[str, Any] = dict(forename="Harry", surname="Evans", sex="M")
    return Index([
        *FILLER,
        Person("since-reception", dob=date(2015, 3, 2), entry_date=date(2019, 9, 3), postcode="NM1 1AA",
               address="2 Hill Road, Northmoor", **common),
        Person("joined-after", dob=date(2015, 3, 2), entry_date=date(2025, 12, 1), postcode="QQ4 4QQ",
               address="9 Sea Lane, Eastport", **common),
    ])


def test_the_pupil_admitted_after_the_child_left_is_the_likelier_child(national):
    lost = Person("lost", dob=date(2015, 3, 2), forename="Harry", surname="Evans", sex="M",
                  postcode="ZZ9 9ZZ", address="40 Old Street, Westby", leaving_date=LEFT)
    found = Matcher(Model(), national).match(lost, limit=2)
    assert [c.id for c in found] == ["joined-after", "since-reception"]
    assert found[0].probability > 0.9 > 0.1 > found[1].probability
    timing = {c.id: next(e for e in c.evidence if e.field == "timing") for c in found}
    assert timing["joined-after"].outcome == "agrees" and timing["joined-after"].weight > 0
    assert timing["since-reception"].outcome == "disagrees" and timing["since-reception"].weight < 0


def test_without_a_leaving_date_timing_says_nothing(national):
    lost = Person("lost", dob=date(2015, 3, 2), forename="Harry", surname="Evans", sex="M")
    matcher = Matcher(Model(), national)
    found = matcher.match(lost, limit=2)
    assert {c.id for c in found} == {"joined-after", "since-reception"}
    assert abs(found[0].probability - found[1].probability) < 1e-9  # nothing tells them apart
    assert not any(e.field == "timing" for c in found for e in c.evidence)
    n = normalise(lost)
    rows = national.candidates(n)
    assert (matcher.score(n, rows).levels[:, TIMING] == -1).all()


def test_a_brother_who_moved_with_the_family_gains_as_the_child_does(national):
    """The sibling explanation shares the household's timing, as it shares its address: a brother
    admitted with the move does not make his lost sister the likelier match for his record."""
    matcher = Matcher(Model(), national)
    sister = Person("lost", forename="Ruby", surname="Evans", sex="F", dob=date(2017, 6, 1), postcode="QQ4 4QQ",
                    address="9 Sea Lane, Eastport")
    n = normalise(sister)
    rows = np.array([national.row_of["joined-after"]], dtype=np.int32)
    without = matcher.score(n, rows)
    with_timing = matcher.score(normalise(replace(sister, leaving_date=LEFT)), rows)
    gained = with_timing.evidence[0] - without.evidence[0]
    assert gained[0] > 0 and gained[1] == pytest.approx(gained[0]) and gained[2] == 0


def test_a_model_file_from_before_timing_reads_with_its_defaults(tmp_path):
    data = Model().to_dict()
    del data["parameters"]["comparisons"]["timing"]
    model = Model.from_dict(data)
    assert model.m["timing"] == Model().m["timing"] and model.u["timing"] == Model().u["timing"]


def test_training_learns_timing_from_lost_pupils_with_leaving_dates():
    """u from the referrals' leaving dates against random pupils (the roll's own records have
    none); the model then weighs a mid-year joiner soon after as evidence, a pupil long on the roll
    as evidence against."""
    roll = [replace(p, entry_date=date(2010 + i % 7 + 5, 9, 3)) for i, p in enumerate(FILLER)]
    referrals = [Person(f"r{i}", forename=p.forename, surname=p.surname, dob=p.dob, leaving_date=LEFT)
                 for i, p in enumerate(FILLER[:40])]
    model = train(roll, referrals)
    weights = dict(zip([lv for lv in T], model.weights()[TIMING], strict=False))
    assert weights["before"] < 0 < weights["in_year_soon"]
    assert model.u["timing"][T["before"]] > 0.9  # every random pupil here joined at an intake long before


def test_a_bad_leaving_date_names_the_row_and_the_field():
    lines = ["id,upn,forename,middle_names,surname,former_surname,dob,sex,postcode,address,leaving_date",
             "lost-1,,Ada,,Lovelace,,2015-03-02,F,,,2025-11-14",
             "lost-2,,Ada,,Byron,,2015-03-02,F,,,2025-02-30"]
    with pytest.raises(batch.InputError, match=r"input row 3 \(id lost-2\), field leaving_date: 2025-02-30 is not a real date"):
        batch.parse_people(lines)
    assert batch.parse_people(lines[:2])[0].leaving_date == LEFT
