"""The evidence scale (what a bit of evidence is worth, the fields not being independent) fitted to
outcomes known for some referrals, such as officers' confirmations of an earlier run's matches:
`engine.fit_evidence_scale` and `cme link --checked` (issue 16: a national roll's lost-pupil
records were left too unsure by the scale that suits an authority's referrals)."""

import csv
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cme.matching import batch
from cme.matching.calibration import assess
from cme.matching.engine import (
    DEFAULT_EVIDENCE_SCALE,
    EVIDENCE_SCALES,
    Index,
    Matcher,
    Model,
    fit_evidence_scale,
)

DATA = Path(__file__).parent / "data"
ROLL, REFERRALS, TRUTH = DATA / "spark-roll.csv", DATA / "spark-referrals.csv", DATA / "spark-truth.csv"


def _truth() -> dict[str, str | None]:
    with open(TRUTH, newline="", encoding="utf-8") as f:
        return {r["referral_id"]: r["roll_id"] or None for r in csv.DictReader(f)}


def test_the_fitted_scale_is_the_best_calibrated_one_that_is_never_overconfident():
    roll, referrals, truth = batch.read_people(ROLL), batch.read_people(REFERRALS), _truth()
    index = Index(roll)
    model = Model()
    fitted, reports = fit_evidence_scale(model, index, [(p, truth[p.id]) for p in referrals])

    assert fitted.evidence_scale in EVIDENCE_SCALES and set(reports) == set(EVIDENCE_SCALES)
    chosen = reports[fitted.evidence_scale]
    assert chosen.bands_hold
    assert all(chosen.brier <= c.brier for c in reports.values() if c.bands_hold)
    assert fitted.trained_on["evidence_scale_fit"]["was"] == DEFAULT_EVIDENCE_SCALE
    # The model scores with the fitted scale: its calibration is the one reported for it.
    matcher = Matcher(fitted, index)
    again = assess([(*matcher.best(p), truth[p.id]) for p in referrals])
    assert abs(again.brier - chosen.brier) < 1e-12


def test_a_handful_of_outcomes_is_too_few_to_fit_on():
    roll, referrals, truth = batch.read_people(ROLL), batch.read_people(REFERRALS), _truth()
    with pytest.raises(ValueError, match="at least 200"):
        fit_evidence_scale(Model(), Index(roll), [(p, truth[p.id]) for p in referrals[:20]])


def _checked(tmp_path, rows: list[str]) -> Path:
    path = tmp_path / "checked.csv"
    path.write_text("referral_id,roll_id\n" + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def test_cme_link_fits_the_scale_to_checked_outcomes_and_saves_it(tmp_path, capsys):
    truth = _truth()
    checked = _checked(tmp_path, [f"{r},{t or ''}" for r, t in truth.items()])
    out, model = tmp_path / "links.csv", tmp_path / "model.json"
    call_command("link", "--roll", str(ROLL), "--referrals", str(REFERRALS), "--out", str(out),
                 "--checked", str(checked), "--save-model", str(model))
    saved = json.loads(model.read_text())
    fit = saved["trained_on"]["evidence_scale_fit"]
    assert fit["labelled"] == 300 and saved["parameters"]["evidence_scale"] == fit["scale"]
    assert "evidence scale fitted on 300 checked outcomes" in capsys.readouterr().err
    assert out.exists()


@pytest.mark.parametrize(("rows", "message"), [
    (["R999999,P000001"], "row 2, field referral_id: 'R999999' is not a referral"),
    (["R000001,P999999"], "row 2, field roll_id: 'P999999' is not a record of the roll"),
    (["R000001,", "R000001,"], "row 3, field referral_id: 'R000001' is given twice"),
    (["R000001,P000620,extra"], "row 2: expected 2 fields"),
    (["R000001,P000620"], "1 checked outcomes; at least 200"),
])
def test_a_bad_checked_file_names_the_row_and_field_and_links_nothing(tmp_path, rows, message):
    out = tmp_path / "links.csv"
    with pytest.raises(CommandError, match=message):
        call_command("link", "--roll", str(ROLL), "--referrals", str(REFERRALS), "--out", str(out),
                     "--checked", str(_checked(tmp_path, rows)))
    assert not out.exists()


def test_checked_outcomes_are_fitted_in_one_process_not_by_spark(tmp_path):
    with pytest.raises(CommandError, match="--save-model and --checked train in one process"):
        call_command("link", "--engine", "spark", "--model", str(tmp_path / "m.json"), "--roll", str(ROLL),
                     "--referrals", str(REFERRALS), "--out", str(tmp_path / "o.csv"),
                     "--checked", str(_checked(tmp_path, [])))
