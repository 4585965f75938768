"""`cme link --engine spark` (issue 16): the same links and probabilities as the in-process engine.

The set (tests/data/spark-*.csv, from bench/make_roll.py: 2,000 pupils in households, 300 referrals
of which 40% are about children on no roll, most of them an unrolled brother, sister or twin, a
namesake or a cousin of a rolled pupil; thin referrals with a name and an address only) is run both
ways with one model on a local Spark of two executor threads, as a cluster would split it.
"""

import csv
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cme.matching import batch
from cme.matching import spark as spark_runner
from cme.matching.engine import Model

DATA = Path(__file__).parent / "data"
ROLL, REFERRALS = DATA / "spark-roll.csv", DATA / "spark-referrals.csv"


@pytest.fixture(scope="module")
def session():
    spark = spark_runner.session("local[2]", {"spark.sql.shuffle.partitions": "4", "spark.driver.memory": "1g"})
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def in_process() -> tuple[list[batch.Link], Model]:
    """The in-process run, training its model on the files (as `cme link` does)."""
    return batch.link(batch.read_people(ROLL), batch.read_people(REFERRALS), threshold=0.0)


def test_spark_runner_gives_every_link_and_probability_of_the_in_process_engine(session, in_process):
    expected, model = in_process
    links, run = spark_runner.link(session, ROLL, REFERRALS, model=model, threshold=0.0)

    assert [item.referral_id for item in links] == [item.referral_id for item in expected]  # the referrals' order
    assert [item.roll_id for item in links] == [item.roll_id for item in expected]
    assert max(abs(a.probability - b.probability) for a, b in zip(links, expected, strict=True)) <= 1e-9
    assert run.roll == 2000 and run.referrals == 300 and run.candidate_pairs > 300
    # The set is a real test of the matcher, not of empty files: most children on a roll are
    # found, and brothers, sisters and namesakes on no roll are not taken for them.
    with open(DATA / "spark-truth.csv", encoding="utf-8") as f:
        truth = {r["referral_id"]: r for r in csv.DictReader(f)}
    linked = {item.referral_id: item.roll_id for item in links if item.probability >= 0.9}
    found = sum(1 for ref, roll_id in linked.items() if roll_id == truth[ref]["roll_id"])
    on_roll = sum(1 for r in truth.values() if r["roll_id"])
    look_alikes = [r for r in truth.values() if r["kind"] in ("no_roll_sibling", "no_roll_twin", "no_roll_namesake")]
    assert found >= 0.9 * on_roll
    assert sum(1 for r in look_alikes if r["referral_id"] in linked) <= 1


def test_smaller_blocks_of_a_national_run_are_the_same_blocking_both_ways(session, in_process):
    """A national run skips keys held by more than a few pupils (--max-block); both runners skip
    the same ones, so the candidates, and so the links, stay the same."""
    _, model = in_process
    expected, _ = batch.link(batch.read_people(ROLL), batch.read_people(REFERRALS), model=model, threshold=0.0,
                             max_block=3)
    links, run = spark_runner.link(session, ROLL, REFERRALS, model=model, threshold=0.0, max_block=3)
    assert [item.roll_id for item in links] == [item.roll_id for item in expected]
    assert max(abs(a.probability - b.probability) for a, b in zip(links, expected, strict=True)) <= 1e-9
    _, wide = spark_runner.link(session, ROLL, REFERRALS, model=model, threshold=0.0)
    assert run.candidate_pairs < wide.candidate_pairs  # the bound bit


def test_threshold_leaves_a_doubtful_referral_unlinked_as_in_process(session, in_process):
    expected, model = in_process
    links, _ = spark_runner.link(session, ROLL, REFERRALS, model=model, threshold=0.9)
    assert [item.roll_id for item in links] == [e.roll_id if e.probability >= 0.9 else None for e in expected]


def test_command_with_spark_engine_writes_the_links_file_of_the_in_process_command(session, in_process, tmp_path):
    _, model = in_process
    model.save(tmp_path / "model.json")
    common = ["--roll", str(ROLL), "--referrals", str(REFERRALS), "--model", str(tmp_path / "model.json")]
    call_command("link", *common, "--out", str(tmp_path / "memory.csv"))
    call_command("link", *common, "--out", str(tmp_path / "spark.csv"), "--engine", "spark",
                 "--spark-master", "local[2]", "--spark-conf", "spark.sql.shuffle.partitions=4")
    assert (tmp_path / "spark.csv").read_text(encoding="utf-8") == (tmp_path / "memory.csv").read_text(encoding="utf-8")


def test_roll_in_many_files_and_parquet_output_give_the_same_links(session, in_process, tmp_path):
    """A national roll comes as one file per authority; a national run's links stay on the cluster."""
    expected, model = in_process
    folder = tmp_path / "roll"
    folder.mkdir()
    lines = ROLL.read_text(encoding="utf-8").splitlines(keepends=True)
    for part, start in enumerate(range(1, len(lines), 700)):
        (folder / f"la-{part}.csv").write_text(lines[0] + "".join(lines[start:start + 700]), encoding="utf-8")
    frame, _ = spark_runner.link_frame(session, folder, REFERRALS, model=model, threshold=0.0)
    spark_runner.write_parquet(frame, tmp_path / "links.parquet")
    got = {r["referral_id"]: (r["roll_id"], r["probability"]) for r in session.read.parquet(str(tmp_path / "links.parquet")).collect()}
    assert len(got) == len(expected)
    for item in expected:
        roll_id, probability = got[item.referral_id]
        assert abs(probability - item.probability) <= 1e-9
        # With the roll read in another order, a tie between two records may fall to the other.
        assert roll_id == item.roll_id or probability < 0.5


def test_bad_row_stops_the_run_naming_file_record_and_field(session, in_process, tmp_path):
    _, model = in_process
    bad = tmp_path / "referrals.csv"
    text = REFERRALS.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = text[5].split(",")
    fields[6] = "2014-02-30"
    text[5] = ",".join(fields)
    bad.write_text("".join(text), encoding="utf-8")
    with pytest.raises(batch.InputError, match=rf"referrals.csv \(id {fields[0]}\), field dob: 2014-02-30 is not a real date"):
        spark_runner.link(session, ROLL, bad, model=model)

    no_header = tmp_path / "roll.csv"
    no_header.write_text("id,forename,surname\nP1,Ann,Lee\n", encoding="utf-8")
    with pytest.raises(batch.InputError, match=r"roll.csv row 1 \(header\): missing columns upn, middle_names"):
        spark_runner.link(session, no_header, REFERRALS, model=model)

    ragged = tmp_path / "ragged.csv"
    ragged.write_text("".join(text[:3]) + text[3].rstrip("\n") + ",an extra value\n", encoding="utf-8")
    with pytest.raises(batch.InputError, match=r"ragged.csv: a row does not fit the header"):
        spark_runner.link(session, ROLL, ragged, model=model)

    twice = tmp_path / "twice.csv"
    shutil.copy(REFERRALS, twice)
    with open(twice, "a", encoding="utf-8") as f:
        f.write(text[5].replace("2014-02-30", "2014-02-03"))
    with pytest.raises(batch.InputError, match=rf"twice.csv \(id {fields[0]}\), field id: the id is used twice"):
        spark_runner.link(session, ROLL, twice, model=model)


def test_spark_engine_needs_a_model_so_every_part_scores_alike(tmp_path):
    with pytest.raises(CommandError, match="--engine spark needs --model"):
        call_command("link", "--roll", str(ROLL), "--referrals", str(REFERRALS), "--out", str(tmp_path / "o.csv"),
                     "--engine", "spark")
    assert not (tmp_path / "o.csv").exists()


def test_found_details_carry_the_pupil_found_back_in_the_import_format(session, in_process, tmp_path):
    """The results go back to the authority that lost the child with the pupil found and where
    (`cme national-search import` reads them)."""
    _, model = in_process
    lines = ROLL.read_text(encoding="utf-8").splitlines()
    roll = tmp_path / "roll-with-schools.csv"
    roll.write_text("\n".join([lines[0] + ",laestab,entry_date", *[f"{line},8812001,2026-09-01" for line in lines[1:]]])
                    + "\n", encoding="utf-8")
    links, run = spark_runner.link(session, roll, REFERRALS, model=model, threshold=0.9, details=True)
    batch.write_links(tmp_path / "found.csv", links, run.found)
    with open(tmp_path / "found.csv", newline="", encoding="utf-8") as fh:
        found = batch.parse_found(fh, name="found.csv")
    assert len(found) == run.matched > 100
    by_roll = {p.id: p for p in batch.read_people(ROLL)}
    for row in found:
        pupil = by_roll[row.roll_id]
        assert row.person["laestab"] == "8812001" and row.person["entry_date"] == "2026-09-01"
        assert (row.person["forename"], row.person["surname"]) == (pupil.forename, pupil.surname)
        assert row.probability >= 0.9


def test_national_set_with_entry_and_leaving_dates_gives_the_in_process_links(session):
    """The timing comparison both ways (tests/data/national, from bench/make_national.py: three
    authorities' rolls with entry dates, one sent without; lost pupils with leaving dates, some
    open cases without; brothers and sisters who moved with the family)."""
    folder = DATA / "national"
    roll = [p for f in sorted((folder / "roll").glob("*.csv")) for p in batch.read_people(f)]
    lost = batch.read_people(folder / "lost.csv")
    expected, model = batch.link(roll, lost, threshold=0.0)
    links, _ = spark_runner.link(session, folder / "roll", folder / "lost.csv", model=model, threshold=0.0)
    assert [item.referral_id for item in links] == [item.referral_id for item in expected]
    assert max(abs(a.probability - b.probability) for a, b in zip(links, expected, strict=True)) <= 1e-9
    # Ties between two records read in another order may fall to the other; none that links.
    assert all(a.roll_id == b.roll_id or b.probability < 0.5 for a, b in zip(links, expected, strict=True))
    # The dates were read and weighed: most lost pupils with a leaving date have a candidate
    # whose roll gives an entry date.
    assert sum(1 for p in lost if p.leaving_date) > 250 and sum(1 for p in roll if p.entry_date) > 1500
    assert model.u["timing"] != Model().u["timing"]  # learnt from the leaving dates, not the defaults
