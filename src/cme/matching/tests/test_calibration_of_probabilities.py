"""Probabilities that hold: the reliability table, and training that keeps the better model
(issue 8, point 2)."""

from datetime import date

from cme.matching import calibration
from cme.matching.engine import Index, Model, Person, choose_model, train
from cme.matching.holdout import make_holdout
from cme.matching.tests.conftest import FILLER, ROLL


def test_reliability_table_counts_each_band():
    outcomes = [("a", 0.95, "a")] * 9 + [("b", 0.95, "a")] + [("c", 0.3, None)] * 4 + [(None, 0.0, "d")]
    c = calibration.assess(outcomes)
    band = next(b for b in c.bands if b.low == 0.9)
    assert (band.links, band.right) == (10, 9)
    assert c.right_links == 9 and c.wrong_links == 1 and c.on_roll == 11
    assert c.wrong_share == 1 / 15
    assert abs(c.ece - (abs(9 - 9.5) + abs(0 - 1.2)) / 14) < 1e-9
    assert "| 0.9–0.99 | 10 | 9 | 0.900 |" in calibration.table(c)


def test_band_with_thirty_links_must_be_right_as_often_as_its_lower_bound_less_slack():
    overconfident = calibration.assess([("a", 0.995, "a")] * 28 + [("b", 0.995, "a")] * 2)
    assert not next(b for b in overconfident.bands if b.low == 0.99).holds
    few = calibration.assess([("b", 0.995, "a")] * 29)
    assert few.bands_hold  # too few links to say


def test_worse_model_is_the_one_with_more_wrong_links():
    safe = calibration.assess([("a", 0.95, "a"), (None, 0.0, None)])
    unsafe = calibration.assess([("a", 0.95, "a"), ("b", 0.95, None)])
    assert unsafe.worse_than(safe) and not safe.worse_than(unsafe)


def _roll(households: int = 250) -> list[Person]:
    """Households of two or three children: brothers and sisters for the held-out referrals."""
    people = list(ROLL + FILLER)
    forenames = ["Jack", "Emily", "Harry", "Sophie", "George", "Ava", "Noah", "Isla", "Oscar", "Mia", "Leo", "Ruby"]
    for h in range(households):
        surname = f"Family{h:03d}"
        for k in range(2 + h % 2):
            people.append(Person(f"h{h}-{k}", forename=forenames[(h + 5 * k) % len(forenames)], surname=surname,
                                 dob=date(2008 + (h + 3 * k) % 12, 1 + (h + k) % 12, 1 + (h * 7 + k) % 28),
                                 sex="MF"[(h + k) % 2], postcode=f"NM{1 + h % 20} {h % 10}AB",
                                 address=f"{h} Long Road, Northmoor"))
    return people


def test_holdout_holds_siblings_out_and_labels_every_referral():
    people = _roll()
    h = make_holdout(people, size=300, seed=1)
    assert len(h.referrals) == 300
    ids = {p.id for p in people}
    assert all(r.truth is None or (r.truth in ids and r.truth not in h.held_out) for r in h.referrals)
    assert any(r.kind == "no_roll_sibling" for r in h.referrals)
    assert set(h.held_out) <= ids


def test_model_trained_on_skewed_referrals_does_not_replace_the_defaults():
    people = _roll()
    index = Index(people)
    # Every training referral is about a rolled child: the model learns that all are.
    skewed = train(people, people[:300], index=index)
    skewed.prior_match_rate, skewed.sibling_rate, skewed.namesake_rate = 0.85, 0.02, 0.01
    choice = choose_model(skewed, None, index, people, size=400)
    assert set(choice.calibration) == {"trained", "default"}
    if choice.calibration["trained"].worse_than(choice.calibration["default"]):
        assert choice.kept == "default" and choice.model.rates() == Model().rates()
    else:
        assert choice.kept == "trained"
    assert choice.model.trained_on["check"]["kept"] == choice.kept


def test_model_no_worse_than_the_one_in_use_replaces_it():
    people = _roll()
    index = Index(people)
    incumbent = Model(prior_match_rate=0.85, sibling_rate=0.02, namesake_rate=0.01)
    trained = Model()
    choice = choose_model(trained, incumbent, index, people, size=400)
    assert not choice.calibration["trained"].worse_than(choice.calibration["previous"])
    assert choice.kept == "trained"
