"""Killed mid-way (issue 15 point 2): a roll import and a register import killed with SIGKILL
part-way leave nothing partial, and a re-run completes; the batch commands (screening,
reconciliation, linking) leave no half-written output file.

Each runs `cme` as its own process on its own SQLite database (as a council's server would run
a nightly import), killed at several moments within its measured run time."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CME = str(Path(sys.executable).with_name("cme"))
PUPILS = 4000

SETUP = """
from cme.providers.models import Organisation, OrgKind
la = Organisation.objects.create(kind=OrgKind.LA, name="Northmoor Council", la_code="901")
Organisation.objects.create(kind=OrgKind.SCHOOL, name="Moor Lane Academy", la=la, la_code="901", estab="4001")
"""
COUNTS = """
from cme.people.models import Child
from cme.providers.models import Enrolment
from cme.movements.models import RollImport
from cme.attendance.models import RegisterYear, RegisterImport
print(Child.objects.count(), Enrolment.objects.count(), RollImport.objects.count(),
      RegisterYear.objects.count(), RegisterImport.objects.count())
"""


def _env(root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_VERSION", "DJANGO_SETTINGS_MODULE")}
    env.update(CME_DATA_DIR=str(root), CME_DEBUG="1", CME_SECRET_KEY="faults-" + "x" * 50)
    return env


def _cme(root: Path, *args: str, script: str = "") -> str:
    cmd = [CME, *args] + (["-c", script] if script else [])
    done = subprocess.run(cmd, env=_env(root), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _counts(root: Path) -> tuple[int, ...]:
    return tuple(int(x) for x in _cme(root, "shell", script=COUNTS).split()[-5:])


def _timed(root: Path, *args: str) -> float:
    started = time.monotonic()
    _cme(root, *args)
    return time.monotonic() - started


def _killed_at(root: Path, seconds: float, *args: str) -> int:
    process = subprocess.Popen([CME, *args], env=_env(root), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(seconds)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    return process.wait(timeout=60)


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    _cme(root, "migrate", "--no-input", "-v", "0")
    _cme(root, "shell", script=SETUP)
    from cme.people.identifiers import upn_check_letter

    roll = ["upn,legal_surname,legal_forename,date_of_birth,sex,year_group,entry_date,postcode"]
    upns = []
    for n in range(PUPILS):
        body = f"9014001{20 + n // 1000:02d}{n % 1000:03d}"
        upns.append(upn_check_letter("A" + body) + body)
        roll.append(f"{upns[-1]},Pupil{n:05d},Name{n % 97},{2012 + n % 8}-{1 + n % 12:02d}-{1 + n % 28:02d},"
                    f"{'MF'[n % 2]},{3 + n % 8},2022-09-05,NM{1 + n % 9} {n % 10}AB")
    (root / "roll.csv").write_text("\n".join(roll) + "\n")
    # Three weeks of registers for every pupil: 4,000 x 15 days x 2 sessions.
    import datetime as dt

    days = [dt.date(2025, 9, 8) + dt.timedelta(days=d) for d in range(21)]
    rows = ["upn,laestab,date,session,code"]
    for i, upn in enumerate(upns):
        for day in days:
            if day.weekday() < 5:
                code = "N" if i % 13 == 0 else "/"
                rows.append(f"{upn},9014001,{day.isoformat()},AM,{code}")
                rows.append(f"{upn},9014001,{day.isoformat()},PM,{code}")
    (root / "registers.csv").write_text("\n".join(rows) + "\n")
    return root


def test_a_killed_roll_import_leaves_nothing_and_a_rerun_completes(instance, tmp_path):
    import shutil

    # How long a whole import takes, measured on a copy of the database.
    copy = tmp_path / "copy"
    shutil.copytree(instance, copy)
    args = ("import-roll", "--provider", "9014001", "--as-of", "2025-10-01", "-v", "0")
    whole = _timed(copy, *args, str(copy / "roll.csv"))
    assert _counts(copy)[:3] == (PUPILS, PUPILS, 1)
    for share in (0.35, 0.7, 0.92):
        code = _killed_at(instance, whole * share, *args, str(instance / "roll.csv"))
        assert code in (-signal.SIGKILL, 0), code
        # Nothing, or (killed after its commit, while it tidied up) everything: never a part. A run
        # that finished before its kill imports the roll again on the next try: one more import
        # recorded, the same children.
        children, enrolments, imports = _counts(instance)[:3]
        assert (children, enrolments, min(imports, 1)) in ((0, 0, 0), (PUPILS, PUPILS, 1)), \
            f"partial after a kill at {share:.0%}: {children} children, {enrolments} enrolments, {imports} imports"
    _cme(instance, *args, str(instance / "roll.csv"))
    children, enrolments, imports = _counts(instance)[:3]
    assert (children, enrolments) == (PUPILS, PUPILS) and imports >= 1


def test_a_killed_register_import_leaves_nothing_and_a_rerun_completes(instance, tmp_path):
    import shutil

    if _counts(instance)[0] == 0:  # the roll the registers are for (the test above loads it)
        _cme(instance, "import-roll", "--provider", "9014001", "--as-of", "2025-10-01", "-v", "0",
             str(instance / "roll.csv"))
    _cme(instance, "import-term-dates", str(_terms(instance)))
    copy = tmp_path / "copy"
    shutil.copytree(instance, copy)
    args = ("import-registers", "-v", "0")
    whole = _timed(copy, *args, str(copy / "registers.csv"))
    assert _counts(copy)[3:] == (PUPILS, 1)
    for share in (0.4, 0.8):
        code = _killed_at(instance, whole * share, *args, str(instance / "registers.csv"))
        assert code in (-signal.SIGKILL, 0), code
        assert _counts(instance)[3:] in ((0, 0), (PUPILS, 1)), f"partial after a kill at {share:.0%}"
    _cme(instance, *args, str(instance / "registers.csv"))
    registers, imports = _counts(instance)[3:]
    assert registers == PUPILS and imports >= 1


def _terms(root: Path) -> Path:
    from cme.attendance.calendar import DEMO_CALENDAR

    path = root / "terms.csv"
    path.write_text("".join(line for line in DEMO_CALENDAR.read_text().splitlines(keepends=True)
                            if line.startswith(("scope", "901,"))))
    return path


def test_batch_outputs_are_whole_or_absent_when_killed(tmp_path):
    from cme.attendance.calendar import DEMO_CALENDAR

    # cme reconcile with a large enough input that the kill lands mid-run.
    enrol = ["upn,forename,middle_names,surname,former_surname,dob,sex,postcode,address,laestab,entry_date,"
             "leaving_date,leaving_ground,destination"]
    for n in range(30000):
        left = "2025-01-10,g," if n % 10 == 0 else ",,"
        enrol.append(f",Name{n % 301},,Pupil{n:05d},,{2012 + n % 8}-{1 + n % 12:02d}-{1 + n % 28:02d},"
                     f"{'MF'[n % 2]},NM1 1AA,1 Road,901{1000 + n % 50},2022-09-05,{left}")
    (tmp_path / "enrol.csv").write_text("\n".join(enrol) + "\n")
    terms = [line for line in DEMO_CALENDAR.read_text().splitlines(keepends=True) if line.startswith(("scope", "901,"))]
    (tmp_path / "terms.csv").write_text("".join(terms))
    out = tmp_path / "out.csv"
    args = ("reconcile", "--enrolments", str(tmp_path / "enrol.csv"), "--as-of", "2025-03-28", "--la", "901",
            "--term-dates", str(tmp_path / "terms.csv"), "--out", str(out))
    whole = _timed(tmp_path, *args)
    full = out.read_bytes()
    out.unlink()
    for share in (0.5, 0.95):
        _killed_at(tmp_path, whole * share, *args)
        assert not out.exists() or out.read_bytes() == full, "a half-written OUT.csv"
        assert not (tmp_path / "out.csv.part").exists() or not out.exists()
