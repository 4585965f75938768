"""`cme reconcile --workers N`: the leavers shared between forked processes give the OUT.csv of one
process byte for byte, whatever the number (the Spark runner's test set: movers under new UPNs,
siblings, twins and namesakes joining elsewhere)."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cme.tracking import batch, reconcile

DATA = Path(__file__).parent / "data"
ENROL, EHE, TERMS = DATA / "spark-enrol.csv", DATA / "spark-ehe.csv", DATA / "spark-terms.csv"


def _command(out: Path, *more: str) -> None:
    call_command("reconcile", "--enrolments", str(ENROL), "--ehe", str(EHE), "--term-dates", str(TERMS),
                 "--as-of", "2025-07-18", "--la", "901", "--out", str(out), *more)


def test_two_and_three_workers_write_the_one_process_out_file(tmp_path):
    for n in ("1", "2", "3"):
        _command(tmp_path / f"out-{n}.csv", "--workers", n)
    one = (tmp_path / "out-1.csv").read_bytes()
    assert one.count(b"\n") == 262  # the header and 261 leavers
    assert (tmp_path / "out-2.csv").read_bytes() == one
    assert (tmp_path / "out-3.csv").read_bytes() == one


def test_the_workers_give_each_leaver_the_outcome_of_one_process():
    enrolments = batch.read_enrolments(ENROL.read_text(encoding="utf-8"))
    home = batch.read_home_educated(EHE.read_text(encoding="utf-8"))

    def run(workers):
        return reconcile.reconcile(enrolments, home, la_code="901", as_of=dt.date(2025, 7, 18),
                                   school_days=lambda left, until: None, workers=workers)

    assert run(2) == run(1)


@pytest.mark.parametrize("workers", ["0", "-1", "two"])
def test_a_number_of_workers_below_one_is_refused(tmp_path, workers):
    with pytest.raises(CommandError, match="--workers"):
        _command(tmp_path / "out.csv", "--workers", workers)
    assert not (tmp_path / "out.csv").exists()


def test_a_worker_that_dies_fails_the_run_and_nothing_is_written(tmp_path, monkeypatch):
    # Only the forked workers search (the parent builds the index and waits): each dies at once,
    # as one killed for want of memory would.
    monkeypatch.setattr(reconcile.Reconciler, "_found", lambda self, leaver: os._exit(1))
    with pytest.raises(CommandError, match="a worker process stopped"):
        _command(tmp_path / "out.csv", "--workers", "2")
    assert not (tmp_path / "out.csv").exists()
