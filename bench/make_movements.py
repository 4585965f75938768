"""Make a synthetic year of movements for one authority, with the hard cases real data holds.

    .venv/bin/python bench/make_movements.py [--pupils 250000] [--leavers 25000] [--joiners 25000]
                                             [--ehe 5000] [--seed 5] [--out bench/data/movements]

Writes, in the `cme reconcile` formats: enrol.csv (every enrolment of the year at the authority's
schools, LA 901), ehe.csv (the home-education list), terms.csv (the shipped demo term dates for
LA 901) and truth.csv (upn,laestab,leaving_date,expected status,kind).

Pupils live in households (make_roll.Generator: siblings share surname and address, some twins,
long-tailed names). Of the leavers (left between September and the as-of date, 18 July 2025):
- moved to another school of the authority: the new school often has a new UPN or none (a new
  school that could not find the CTF gives a temporary one), the forename misspelt or a nickname,
  a new surname, a new address; some are dual registered before leaving;
- home educated (ground f), sometimes with the name spelt otherwise on the list;
- transferred out (ground a or g with a destination school in another authority);
- exempt (b, k, l);
- lost (ground g or none, no destination, on no roll), and these are the hard ones: a brother or
  sister joins another school of the authority the same week, or a namesake (same first name and
  surname, another birthday and address) joins one, or the lost child's twin stays on roll.
New arrivals from outside the authority join too, and children never on a roll are on the
home-education list. The truth says what a perfect reconciliation reports.
"""

import argparse
import csv
import random
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_roll import Generator, misspell

from cme.attendance.calendar import DEMO_CALENDAR

YEAR_START, AS_OF = date(2024, 9, 2), date(2025, 7, 18)
ENROL = ("upn", "forename", "middle_names", "surname", "former_surname", "dob", "sex", "postcode",
         "address", "laestab", "entry_date", "leaving_date", "leaving_ground", "destination")
EHE = ("id", "upn", "forename", "middle_names", "surname", "former_surname", "dob", "sex", "postcode",
       "address", "start_date")
OUTCOMES = [  # kind, share of leavers, expected status
    ("moved_same_upn", 0.30, "on_roll"),
    ("moved_new_upn", 0.14, "on_roll"),
    ("moved_no_upn", 0.06, "on_roll"),
    ("moved_misspelt_new_upn", 0.05, "on_roll"),
    ("dual_registered", 0.03, "on_roll"),
    ("home_education", 0.08, "home_education"),
    ("home_education_misspelt", 0.02, "home_education"),
    ("transferred_out", 0.12, "transferred_out"),
    ("exempt", 0.05, "exempt"),
    ("lost_sibling_joins", 0.06, "unreconciled"),
    ("lost_namesake_joins", 0.04, "unreconciled"),
    ("lost_twin_stays", 0.01, "unreconciled"),
    ("lost", 0.04, "unreconciled"),
]


def day_between(rng: random.Random, a: date, b: date) -> date:
    return a + timedelta(days=rng.randrange(max((b - a).days, 1)))


def school_day(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def make(pupils: int, leavers: int, joiners: int, ehe_size: int, seed: int, out: Path) -> None:
    g = Generator(seed)
    rng = g.rng
    schools = [f"901{n:04d}" for n in range(1001, 1301)]  # 300 schools of the authority
    others = [f"907{n:04d}" for n in range(1001, 1101)]
    children: list[dict] = []
    households: list[list[dict]] = []
    while len(children) < pupils:
        house = g.household()
        households.append(house)
        children.extend(house)
    children = children[:pupils]
    rows: list[dict] = []
    for c in children:
        c["school"] = rng.choice(schools)
        rows.append({**c, "laestab": c["school"], "entry_date": day_between(rng, date(2016, 9, 1), YEAR_START),
                     "leaving_date": None, "leaving_ground": "", "destination": ""})
    row_of = {c["id"]: i for i, c in enumerate(children)}
    household_of = {c["id"]: h for h in households for c in h}
    ehe: list[dict] = []
    truth: list[tuple] = []
    kinds = [k for k, _, _ in OUTCOMES]
    weights = [w for _, w, _ in OUTCOMES]
    expected = {k: s for k, _, s in OUTCOMES}
    chosen = rng.sample(range(pupils), leavers)
    joined = 0

    def join(child: dict, on: date, **changes) -> None:
        nonlocal joined
        school = rng.choice([s for s in schools if s != child["school"]])
        rows.append({**child, **changes, "laestab": school, "entry_date": on, "leaving_date": None,
                     "leaving_ground": "", "destination": ""})
        joined += 1

    for i in chosen:
        c = children[i]
        row = rows[i]
        kind = rng.choices(kinds, weights=weights)[0]
        left = school_day(day_between(rng, YEAR_START, AS_OF - timedelta(days=3)))
        row["leaving_date"] = left
        moved_house = rng.random() < 0.5
        new_address = g.address() if moved_house else (c["address"], c["postcode"])
        later = min(school_day(left + timedelta(days=rng.randint(1, 20))), AS_OF)
        ground = ""
        if kind.startswith("moved") or kind == "dual_registered":
            ground = rng.choice(["c", "c", "a", ""])
            changes = {"address": new_address[0], "postcode": new_address[1]}
            if kind in ("moved_new_upn", "moved_misspelt_new_upn"):
                changes["upn"] = g.unique_upn(temporary=rng.random() < 0.5)
            if kind == "moved_no_upn":
                changes["upn"] = ""
            if kind == "moved_misspelt_new_upn":
                changes["forename"] = misspell(rng, c["forename"].lower()).title()
            if rng.random() < 0.03:
                changes["former_surname"], changes["surname"] = c["surname"], g.surname()
            on = later if kind != "dual_registered" else day_between(rng, date(2023, 9, 1), left)
            join(c, on, **changes)
        elif kind.startswith("home_education"):
            ground = "f"
            forename = c["forename"] if kind == "home_education" else misspell(rng, c["forename"].lower()).title()
            ehe.append({**c, "id": f"E{len(ehe) + 1:06d}", "forename": forename,
                        "upn": c["upn"] if rng.random() < 0.6 else "", "address": new_address[0],
                        "postcode": new_address[1], "start_date": later})
        elif kind == "transferred_out":
            ground = rng.choice(["a", "g"])
            row["destination"] = rng.choice(others)
        elif kind == "exempt":
            ground = rng.choice(["b", "k", "l"])
        else:
            ground = rng.choice(["g", "g", "h", "i", ""])
            house = household_of[c["id"]]
            if kind == "lost_sibling_joins":
                sib_dob = c["dob"] + timedelta(days=rng.choice([-1, 1]) * rng.randint(400, 1500))
                sibling = {**c, "id": c["id"] + "S", "forename": g.forename(c["sex"]),
                           "middle_names": "", "dob": sib_dob, "upn": g.unique_upn(False),
                           "address": new_address[0], "postcode": new_address[1]}
                join(sibling, later)
            elif kind == "lost_namesake_joins":
                address, postcode = g.address()
                namesake = {**c, "id": c["id"] + "N", "dob": c["dob"] + timedelta(days=rng.randint(300, 900)),
                            "upn": g.unique_upn(False), "address": address, "postcode": postcode,
                            "middle_names": g.forename(c["sex"]) if rng.random() < 0.5 else ""}
                join(namesake, later)
            elif kind == "lost_twin_stays" and len(house) > 1:
                twin = next(x for x in house if x["id"] != c["id"])
                if twin["id"] in row_of:
                    rows[row_of[twin["id"]]]["dob"] = c["dob"]
        row["leaving_ground"] = ground
        truth.append((row["upn"], row["laestab"], left.isoformat(), expected[kind], kind))
    # New arrivals from outside the authority, and children never on a roll who are home educated.
    while joined < joiners:
        for c in g.household():
            c["school"] = ""
            join(c, school_day(day_between(rng, YEAR_START, AS_OF)))
    while len(ehe) < ehe_size:
        for c in g.household():
            ehe.append({**c, "id": f"E{len(ehe) + 1:06d}", "start_date": day_between(rng, date(2019, 9, 1), AS_OF)})
    out.mkdir(parents=True, exist_ok=True)
    rng.shuffle(rows)
    with open(out / "enrol.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(ENROL)
        for r in rows:
            w.writerow([r["upn"], r["forename"], r["middle_names"], r["surname"], r["former_surname"],
                        r["dob"].isoformat(), r["sex"], r["postcode"], r["address"], r["laestab"],
                        r["entry_date"].isoformat(), r["leaving_date"].isoformat() if r["leaving_date"] else "",
                        r["leaving_ground"], r["destination"]])
    with open(out / "ehe.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(EHE)
        for r in ehe[:ehe_size]:
            w.writerow([r["id"], r["upn"], r["forename"], r["middle_names"], r["surname"], r["former_surname"],
                        r["dob"].isoformat(), r["sex"], r["postcode"], r["address"], r["start_date"].isoformat()])
    with open(out / "truth.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["upn", "laestab", "leaving_date", "status", "kind"])
        w.writerows(truth)
    lines = [line for line in DEMO_CALENDAR.read_text().splitlines(keepends=True)
             if line.startswith(("scope", "901,"))]
    (out / "terms.csv").write_text("".join(lines), encoding="utf-8")
    print(f"{len(rows):,} enrolments ({leavers:,} leavers, {joined:,} joiners), {min(len(ehe), ehe_size):,} "
          f"home educated -> {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pupils", type=int, default=250_000)
    ap.add_argument("--leavers", type=int, default=25_000)
    ap.add_argument("--joiners", type=int, default=25_000)
    ap.add_argument("--ehe", type=int, default=5_000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "data" / "movements")
    a = ap.parse_args()
    make(a.pupils, a.leavers, a.joiners, a.ehe, a.seed, a.out)


if __name__ == "__main__":
    main()
