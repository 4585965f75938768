"""How low "lost reported found" can go, and what the service asks of officers (issue 11).

    .venv/bin/python bench/reconcile_frontier.py [/tmp/messy21-mov /tmp/messy22-mov ...]

Each folder is a year of movements with truth.csv (bench/movements_from_messy.py, or
bench/make_movements.py; with none given, our own year in bench/data/movements, made if missing,
as bench/reconcile.py makes it). Every folder is reconciled in process as `cme reconcile` runs it
(`cme.tracking.batch.run`), keeping each leaver's outcome, the record it was found in and the
probability; then, summed over the folders:

- the frontier: lost children reported found and found children reported lost were the
  threshold raised (raising it only takes reports of "found" away; an exact agreement is 1.0);
- the records the service puts to an officer (found by the engine's probability alone, below 1),
  and how many of the lost children reported found are among them;
- the narrowest rule tried against the twins named with two spellings of one name: the same
  surname and birthday, no agreeing UPN or middle names, single forenames both common in the
  authority (8 or more records) and two letters apart or less.
"""

import argparse
import csv
import datetime as dt
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from cme.tracking import batch

BENCH = Path(__file__).resolve().parent
FOUND = {"on_roll", "home_education"}
AS_OF = dt.date(2025, 7, 18)
THRESHOLDS = (0.9, 0.95, 0.98, 0.99, 0.993, 0.996, 0.999, 0.9995)


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def outcomes(folder: Path) -> list[tuple[str, str, float | None, object, object, Counter]]:
    """(true status, reported status, probability, leaver's person, found person, forenames)."""
    with tempfile.TemporaryDirectory() as tmp:
        got = batch.run(folder / "enrol.csv", folder / "terms.csv", Path(tmp) / "out.csv", la_code="901",
                        as_of=AS_OF, ehe=folder / "ehe.csv", workers=2)
    with open(folder / "truth.csv", newline="", encoding="utf-8") as f:
        truth = {(r["upn"], r["laestab"], r["leaving_date"]): r["status"] for r in csv.DictReader(f)}
    people = {e.person.id: e.person for e in batch.read_enrolments((folder / "enrol.csv").read_text("utf-8"))}
    people.update({h.person.id: h.person
                   for h in batch.read_home_educated((folder / "ehe.csv").read_text("utf-8"))})
    forenames = Counter(p.forename.strip().lower() for p in people.values())
    rows = []
    for o in got:
        e = o.enrolment
        key = (e.person.upn, e.laestab, e.leaving_date.isoformat() if e.leaving_date else "")
        rows.append((truth.get(key, "?"), o.status, o.probability, e.person,
                     people.get(o.found_id) if o.found_id else None, forenames))
    return rows


def narrow_twin_rule(leaver, found, forenames: Counter) -> bool:
    a, b = leaver, found
    if found is None or a.dob != b.dob or _letters(a.surname) != _letters(b.surname):
        return False
    fa, fb = _letters(a.forename), _letters(b.forename)
    if fa == fb or (b.upn and b.upn == a.upn) or " " in a.forename.strip() or " " in b.forename.strip():
        return False
    if a.middle_names and b.middle_names and _letters(a.middle_names) == _letters(b.middle_names):
        return False
    common = min(forenames[a.forename.strip().lower()], forenames[b.forename.strip().lower()]) >= 8
    return common and Levenshtein.distance(fa, fb) <= 2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", type=Path, nargs="*")
    folders = ap.parse_args().folders
    if not folders:
        folders = [BENCH / "data" / "movements"]
        if not (folders[0] / "enrol.csv").exists():
            subprocess.run([sys.executable, str(BENCH / "make_movements.py"), "--out", str(folders[0])], check=True)
    rows = [r for folder in folders for r in outcomes(folder)]
    truly_found = sum(1 for t, *_ in rows if t in FOUND)
    fl0 = sum(1 for t, s, *_ in rows if t in FOUND and s not in FOUND)
    print(f"{len(rows):,} leavers, {truly_found:,} truly found again")
    print("| threshold | lost reported found | found reported lost |")
    print("| ---: | ---: | ---: |")
    for t in THRESHOLDS:
        lf = sum(1 for truth, s, p, *_ in rows if truth not in FOUND and s in FOUND and (p or 0) >= t)
        fl = fl0 + sum(1 for truth, s, p, *_ in rows if truth in FOUND and s in FOUND and (p or 0) < t)
        print(f"| {t} | {lf} | {fl:,} ({fl / max(1, truly_found):.2%}) |")
    reported = [r for r in rows if r[1] in FOUND]
    asked = [r for r in reported if (r[2] or 0) < 1.0]
    lost_found = [r for r in reported if r[0] not in FOUND]
    print(f"reported found {len(reported):,}; by matching alone (put to an officer in the service) "
          f"{len(asked):,} ({len(asked) / max(1, len(rows)):.1%} of leavers); lost children reported found "
          f"{len(lost_found)}, of them by matching alone {sum(1 for r in lost_found if (r[2] or 0) < 1.0)}")
    caught = [r for r in reported if narrow_twin_rule(r[3], r[4], r[5])]
    print(f"the narrow twin rule would refuse {sum(1 for r in caught if r[0] in FOUND)} found children "
          f"and {sum(1 for r in caught if r[0] not in FOUND)} lost children reported found")


if __name__ == "__main__":
    main()
