"""A year of movements made from the blind matching set (bench/make_messy.py), which was written
without reading the matcher or our generators: a check of `cme reconcile` on data we did not shape.

    .venv/bin/python bench/make_messy.py --out /tmp/messy
    .venv/bin/python bench/movements_from_messy.py --messy /tmp/messy --out /tmp/messy-movements
    .venv/bin/python bench/reconcile.py --data /tmp/messy-movements

Every rolled child is on a roll of LA 901 (schools by household). A referral about a rolled child
becomes that child's new entry at another school after leaving (truth: on_roll), carrying all the
referral's mess (nicknames, typos, missing fields, a wrong birthday). A referral about a child on
no roll becomes a joiner at another school while the rolled children it can be confused with (the
brother, twin, namesake or cousin that truth_detail.csv names) leave with no destination (truth:
unreconciled): the joiner is not them.

Two grades of joiner (`--grade`):

  school    (default) the joiner as a school's admission register holds them and the service's
            roll import accepts them (SI 2024/208 reg 5: the pupil's full name, sex and date of
            birth, and the parents' address; `cme.movements.roll` refuses a pupil without a legal
            forename, surname, date of birth or sex): where the referral leaves one of these, the
            middle names, the address or the postcode out, or gives a date of birth made from an
            age or a placeholder, the school recorded the child's own (truth_detail.csv's true_*
            columns: the household's home now, which may not be the old school's record of it). Everything else the
            referral carries stays: nicknames and preferred names, misspellings, a new surname, a
            new, old or no address, a new, mistyped or sibling's UPN or none, and a date of birth
            mis-keyed (a digit, the year, day and month swapped).
  referral  every field exactly as the referral gives it: harsher than any roll the service reads.
"""

import argparse
import csv
import hashlib
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_movements import ENROL

from cme.attendance.calendar import DEMO_CALENDAR

AS_OF = date(2025, 7, 18)


# A date of birth the referrer made up (from an age, a placeholder) rather than mis-keyed.
MADE_UP_DOB = ("dob_from_age", "dob_placeholder", "age_only")


def as_school_records(ref: dict, detail: dict) -> dict:
    """The referral as a school's admission register would hold it (see `--grade school`)."""
    rec = dict(ref)
    if not (rec["forename"].strip() and rec["surname"].strip()):
        rec["forename"], rec["surname"] = detail["true_forename"], detail["true_surname"]
    tokens = set(detail["kind"].partition(":")[2].split("+"))
    if not rec["dob"] or tokens & set(MADE_UP_DOB):
        rec["dob"] = detail["true_dob"]
    if rec["sex"] not in ("M", "F"):
        rec["sex"] = detail["true_sex"]
    if not (rec["address"].strip() and rec["postcode"].strip()):
        rec["address"], rec["postcode"] = detail["true_address"], detail["true_postcode"]
    if not rec["middle_names"].strip() and len(rec["forename"].split()) < 2:
        rec["middle_names"] = detail["true_middle_names"]  # reg 5: the pupil's full name
    return rec


def school_of(key: str, salt: str = "") -> str:
    return f"901{1001 + int(hashlib.sha256((key + salt).encode()).hexdigest(), 16) % 300:04d}"


def home_school(p: dict) -> str:
    return school_of(p.get("address", "") + p["surname"])


def next_school(p: dict, roll_id: str) -> str:
    """Another school than the one the child left: a child re-admitted where they were is not
    found at "another provider" (issue 11, point 4), so truth would call them lost."""
    salt = "next"
    while (school := school_of(roll_id, salt)) == home_school(p):
        salt += "+"
    return school


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messy", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--grade", choices=("school", "referral"), default="school",
                    help="joiners as a school's register holds them (default) or as the referrals give them")
    a = ap.parse_args()
    with open(a.messy / "roll.csv", newline="") as f:
        roll = {r["id"]: r for r in csv.DictReader(f)}
    with open(a.messy / "referrals.csv", newline="") as f:
        referrals = {r["id"]: r for r in csv.DictReader(f)}
    with open(a.messy / "truth_detail.csv", newline="") as f:
        detail = list(csv.DictReader(f))
    leaving: dict[str, tuple[date, str]] = {}  # roll id -> leaving date, expected status
    joiners: list[tuple[dict, date, str]] = []
    for n, d in enumerate(detail):
        ref = referrals[d["referral_id"]]
        if a.grade == "school":
            if "true_dob" not in d:
                sys.exit("truth_detail.csv has no true_* columns: make the set again with bench/make_messy.py")
            ref = as_school_records(ref, d)
        left = date(2024, 9, 9) + timedelta(days=(n * 37) % 300)
        if d["roll_id"]:
            if d["roll_id"] in leaving:
                continue
            leaving[d["roll_id"]] = (left, "on_roll")
            joiners.append((ref, left + timedelta(days=5), next_school(roll[d["roll_id"]], d["roll_id"])))
        elif d["kind"].startswith("unrelated"):
            joiners.append((ref, left + timedelta(days=5), school_of(d["referral_id"])))
        else:
            related = [r for r in (d["related_roll_ids"] or "").split("|") if r and r not in leaving]
            for rid in related:
                leaving[rid] = (left, "unreconciled")
            joiners.append((ref, left + timedelta(days=5), school_of(d["referral_id"], "new")))
    a.out.mkdir(parents=True, exist_ok=True)
    truth = []
    with open(a.out / "enrol.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(ENROL)
        for rid, p in roll.items():
            left, status = leaving.get(rid, (None, ""))
            school = home_school(p)
            w.writerow([p["upn"], p["forename"], p["middle_names"], p["surname"], p["former_surname"], p["dob"],
                        p["sex"], p["postcode"], p["address"], school, "2020-09-01",
                        left.isoformat() if left else "", "g" if left else "", ""])
            if left:
                truth.append((p["upn"], school, left.isoformat(), status, status))
        for ref, entry, school in joiners:
            w.writerow([ref["upn"], ref["forename"], ref["middle_names"], ref["surname"], ref["former_surname"],
                        ref["dob"], ref["sex"], ref["postcode"], ref["address"], school, entry.isoformat(), "", "", ""])
    with open(a.out / "ehe.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerow(["id", "upn", "forename", "middle_names", "surname", "former_surname", "dob", "sex",
                                "postcode", "address", "start_date"])
    with open(a.out / "truth.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["upn", "laestab", "leaving_date", "status", "kind"])
        w.writerows(truth)
    lines = [line for line in DEMO_CALENDAR.read_text().splitlines(keepends=True) if line.startswith(("scope", "901,"))]
    (a.out / "terms.csv").write_text("".join(lines), encoding="utf-8")
    print(f"{len(roll) + len(joiners):,} enrolments, {len(truth):,} leavers "
          f"({sum(1 for t in truth if t[3] == 'on_roll')} found again, "
          f"{sum(1 for t in truth if t[3] == 'unreconciled')} not) -> {a.out}")


if __name__ == "__main__":
    main()
