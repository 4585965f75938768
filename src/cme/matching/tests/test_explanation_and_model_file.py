"""Candidates explain themselves field by field, and a trained model round-trips through JSON."""

import json
from datetime import date

import pytest

from cme.matching.engine import COMPARISONS, Index, Matcher, Model, train
from cme.matching.tests.conftest import FILLER, ROLL, best


def test_every_field_is_explained_with_its_weight(matcher):
    candidate = best(matcher, forename="Bill", surname="Hartley", dob=date(2014, 12, 3), postcode="NM1 2AB")
    fields = {e.field: e for e in candidate.evidence}
    assert {"prior", "forename", "surname", "dob", "sex", "address", "upn"} <= set(fields)
    assert fields["forename"].outcome == "similar" and fields["forename"].level == "variant"
    assert fields["surname"].outcome == "agrees" and fields["surname"].weight > 0
    assert fields["dob"].level == "day_month_swapped"
    assert fields["sex"].outcome == "missing" and fields["sex"].weight == 0
    assert candidate.match_weight == pytest.approx(sum(e.weight for e in candidate.evidence), abs=0.1)


def test_disagreement_lowers_the_score(matcher):
    candidate = best(matcher, forename="William", surname="Hartley", dob=date(2014, 3, 12), sex="F")
    sex = next(e for e in candidate.evidence if e.field == "sex")
    assert sex.outcome == "disagrees" and sex.weight < 0


def test_candidates_come_best_first(matcher):
    from cme.matching.engine import Person

    found = matcher.match(Person("r", forename="Jack", surname="Brown"), limit=5)
    assert [c.probability for c in found] == sorted((c.probability for c in found), reverse=True)


def test_trained_model_round_trips_through_its_file(tmp_path):
    roll = ROLL + FILLER
    model = train(roll, roll[:5], seed=1)
    path = tmp_path / "model.json"
    model.save(path)
    data = json.loads(path.read_text())
    assert data["version"] == 2 and data["created"] and "parameters" in data
    assert set(data["parameters"]["comparisons"]) == set(COMPARISONS)
    loaded = Model.load(path)
    assert loaded.m == model.m and loaded.u == model.u
    assert loaded.rates() == model.rates() and loaded.s == model.s
    index = Index(roll)
    a = Matcher(model, index).match(roll[0])[0]
    b = Matcher(loaded, index).match(roll[0])[0]
    assert (a.id, a.probability) == (b.id, b.probability)


def test_model_file_of_format_1_reads_with_the_default_rates(tmp_path):
    data = Model().to_dict()
    data["version"] = 1
    for key in ("sibling_rate", "namesake_rate", "sibling_comparisons", "household_share"):
        del data["parameters"][key]
    # Format 1 had no "year_digit" or "year_only" level of the date of birth.
    data["parameters"]["comparisons"]["dob"] = [
        g for g in data["parameters"]["comparisons"]["dob"] if g["level"] not in ("year_digit", "year_only")]
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data))
    loaded = Model.load(path)
    assert (loaded.sibling_rate, loaded.namesake_rate, loaded.s) == (Model().sibling_rate, Model().namesake_rate, Model().s)
    assert len(loaded.m["dob"]) == len(Model().m["dob"]) and abs(sum(loaded.m["dob"]) - 1) < 1e-9


def test_model_of_another_version_is_refused(tmp_path):
    data = Model().to_dict()
    data["version"] = 99
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="version"):
        Model.load(path)


def test_index_refreshes_when_the_roll_changes():
    from cme.matching.engine import Person

    index = Index(ROLL + FILLER)
    matcher = Matcher(Model(), index)
    query = Person("r", forename="William", surname="Hartley", dob=date(2014, 3, 12))
    assert matcher.match(query)[0].id == "william"
    index.remove(["william"])
    assert all(c.id != "william" for c in matcher.match(query))
    index.add([Person("william2", forename="William", surname="Hartley", dob=date(2014, 3, 12))])
    assert matcher.match(query)[0].id == "william2"
