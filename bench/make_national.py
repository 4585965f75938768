"""Make a synthetic national roll and the lost-pupil records of every authority, in chunks (issue 16).

    .venv/bin/python bench/make_national.py [--pupils 2500000] [--lost 100000] [--authorities 150]
                                            [--found-share 0.6] [--seed 16] [--out bench/data/national]

Writes, never holding the national roll in memory (one authority at a time):

- roll/la-NNN.csv: each authority's pupils on roll, in the `cme link` columns, one file per
  authority (as a consortium would receive them). Households of brothers and sisters and twins
  share a surname and an address; names follow one national long-tailed frequency (bench/make_roll.py),
  so namesakes across authorities are as common as real names make them. Each authority has its
  own postcode area and town.
- lost.csv: lost-pupil records (a leaver with no known destination), in the same columns, as the
  authority the child LEFT holds them: the old address in that authority, the school's spelling.
  A share (--found-share) are children now on a roll in ANOTHER authority, with the errors of
  bench/make_roll.py (misspelt and swapped names, nicknames, dates mistyped, fields missing, a name
  and an address only) and a UPN that is the roll's (30%), another one (the new school never got
  the old; 50%) or none (20%). The rest are on no roll, and most resemble a pupil who is: a brother
  or sister of a rolled pupil lost from the same family (30%), a twin (5%), a namesake born a year
  or more apart (20%); the others are unrelated (45%).
- truth.csv: referral_id, roll_id (empty when on no roll), kind.

Dates, for the timing comparison (a roll's entry_date, a lost pupil's leaving_date), as of the
search on AS_OF: a pupil joined the current school at the start of its key stage (reception,
Year 7, Year 12), or mid-phase (in-year admissions: MOBILITY a year, cumulated); a lost pupil
left between LEFT_FROM and AS_OF. A child found elsewhere joined the next school at the delay of
FOUND_DELAYS from leaving: often weeks BEFORE the old school deleted the child (a deletion under
reg 9(1)(h) or (i) waits for enquiries and 20 school days of absence), often weeks after, some
months or a year later, at a September start when a summer leaver (no school takes a pupil in
August). The hard cases stay hard: the household of a lost brother or sister (or twin) moved with
the family (FAMILY_MOVED), so the rolled sibling joined the next school when the lost child left;
a namesake may be a mid-year joiner too; an authority in NO_ENTRY_DATES sends its roll without
entry dates; NO_LEAVING_DATE of the records are open CME cases (no school left) rather than lost
pupils.
"""

import argparse
import csv
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from make_roll import (
    _PREFIX,
    _SUFFIX,
    ERROR_KINDS,
    STREETS,
    THIN_KINDS,
    Generator,
    make_upn,
    no_roll_child,
    referral_from,
)

from cme.matching.batch import COLUMNS

HEADER = (*COLUMNS, "preferred_forename", "entry_date", "leaving_date")
NO_ROLL_KINDS = {"sibling": 0.30, "twin": 0.05, "namesake": 0.20, "unrelated": 0.45}
UPN_GIVEN = {"same": 0.3, "other": 0.5, "none": 0.2}
AS_OF = date(2026, 1, 15)
LEFT_FROM = date(2024, 9, 1)
MOBILITY = 0.04  # share of pupils admitted to a school mid-year, each year
# Days from leaving the last school to joining the next: (share, fewest, most).
FOUND_DELAYS = ((0.25, -80, -1), (0.45, 0, 60), (0.18, 61, 200), (0.12, 201, 420))
FAMILY_MOVED = 0.7
NO_ENTRY_DATES = 0.12
NO_LEAVING_DATE = 0.1


class NationalGenerator(Generator):
    """make_roll's generator with one name frequency for the country and a postcode area and town
    per authority."""

    def at(self, area: str, town: str) -> None:
        self.area, self.town = area, town

    def postcode(self) -> str:
        rng = self.rng
        return f"{self.area}{rng.randint(1, 30)} {rng.randint(0, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"

    def address(self) -> tuple[str, str]:
        return f"{self.rng.randint(1, 180)} {self.street()}, {self.town}", self.postcode()


def areas(count: int, rng: random.Random) -> list[tuple[str, str]]:
    letters = "ABCDEFGHJKLMNOPRSTUWY"
    codes = [a + b for a in letters for b in letters]
    rng.shuffle(codes)
    towns = [p + s for p in _PREFIX for s in _SUFFIX]
    rng.shuffle(towns)
    return list(zip(codes[:count], towns[:count], strict=True))


def row_of(r: dict) -> list[str]:
    return [r[c].isoformat() if c in ("dob", "entry_date", "leaving_date") and r.get(c) else (r.get(c) or "")
            for c in HEADER]


def phase_start(dob: date) -> date:
    """The September the pupil started the current key stage (reception, Year 7 or Year 12)."""
    reception = (dob.year + 4 if dob.month < 9 else dob.year + 5)
    starts = [date(reception + k, 9, 3) for k in (0, 7, 12)]
    return max([s for s in starts if s <= AS_OF] or starts[:1])


def school_day(day: date) -> date:
    """No school admits a pupil in August or at a weekend: the next school day."""
    if day.month == 8:
        day = date(day.year, 9, 3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def usual_entry(rng: random.Random, dob: date) -> date:
    start = phase_start(dob)
    years = max((AS_OF - start).days / 365.25, 0.0)
    if rng.random() < 1 - (1 - MOBILITY) ** years:  # admitted mid-phase
        return school_day(start + timedelta(days=rng.randrange(max((AS_OF - start).days, 1))))
    return start


def moved_at(rng: random.Random) -> tuple[date, date]:
    """A leaving date and the next school's entry date, for a child who left and was admitted
    elsewhere (or a brother or sister who moved with the child)."""
    _, lo, hi = rng.choices(FOUND_DELAYS, weights=[d[0] for d in FOUND_DELAYS])[0]
    delay = rng.randint(lo, hi)
    latest = AS_OF - timedelta(days=max(delay, 0))
    left = LEFT_FROM + timedelta(days=rng.randrange(max((latest - LEFT_FROM).days, 1)))
    return school_day(left), min(school_day(left + timedelta(days=delay)), AS_OF)


def old_address(g: NationalGenerator, place: tuple[str, str]) -> tuple[str, str]:
    """An address in the authority the child left."""
    rng = g.rng
    area, town = place
    street = f"{rng.choice(STREETS)} {rng.choice(['Road', 'Street', 'Lane', 'Close', 'Avenue'])}"
    postcode = f"{area}{rng.randint(1, 30)} {rng.randint(0, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
    return f"{rng.randint(1, 180)} {street}, {town}", postcode


def make(pupils: int, lost: int, authorities: int, seed: int, out: Path, found_share: float = 0.6) -> dict:
    g = NationalGenerator(seed)
    rng = g.rng
    places = areas(authorities, random.Random(seed))
    (out / "roll").mkdir(parents=True, exist_ok=True)
    per_la = [pupils // authorities + (1 if k < pupils % authorities else 0) for k in range(authorities)]
    lost_per_la = [lost // authorities + (1 if k < lost % authorities else 0) for k in range(authorities)]
    kinds_on_roll = ERROR_KINDS + THIN_KINDS
    number = 0
    counts: dict[str, int] = {}
    with open(out / "lost.csv", "w", newline="", encoding="utf-8") as lf, \
            open(out / "truth.csv", "w", newline="", encoding="utf-8") as tf:
        lost_writer, truth_writer = csv.writer(lf), csv.writer(tf)
        lost_writer.writerow(HEADER)
        truth_writer.writerow(["referral_id", "roll_id", "kind"])
        for k, (place, size) in enumerate(zip(places, per_la, strict=True)):
            g.at(*place)
            roll: list[dict] = []
            households: dict[str, list[dict]] = {}
            while len(roll) < size:
                house = g.household()
                key = f"H{k}-{len(households)}"
                for c in house:
                    c["household"] = key
                    c["id"] = f"L{k:03d}-{c['id']}"
                households[key] = house
                roll.extend(house)
            roll = roll[:size]
            on_roll = {c["id"] for c in roll}
            for key, house in households.items():
                households[key] = [c for c in house if c["id"] in on_roll]
            for c in roll:
                c["entry_date"] = usual_entry(rng, c["dob"])
            records: list[tuple[dict, tuple[str, str]]] = []
            # This authority's share of the country's lost pupils: children who left another
            # authority with no known destination, found here or on no roll at all.
            for _ in range(lost_per_la[k]):
                number += 1
                left = places[rng.choice([i for i in (rng.randrange(authorities), rng.randrange(authorities)) if i != k] or [(k + 1) % authorities])]
                if rng.random() < found_share:
                    child = rng.choice(roll)
                    kind = kinds_on_roll[number % len(kinds_on_roll)]
                    record = referral_from(g, child, kind, number)
                    given = rng.choices(list(UPN_GIVEN), weights=list(UPN_GIVEN.values()))[0]
                    if kind not in ("upn_given", "temporary_upn_given"):
                        record["upn"] = {"same": child["upn"], "other": make_upn(rng, temporary=False), "none": ""}[given]
                    record["leaving_date"], child["entry_date"] = moved_at(rng)
                    truth = (child["id"], kind)
                else:
                    kind = rng.choices(list(NO_ROLL_KINDS), weights=list(NO_ROLL_KINDS.values()))[0]
                    child = no_roll_child(g, kind, roll, households, number)
                    record = referral_from(g, child, rng.choice(kinds_on_roll), number)
                    record["upn"] = make_upn(rng, temporary=False) if rng.random() < 0.8 else ""
                    record["leaving_date"] = moved_at(rng)[0]
                    if kind in ("sibling", "twin") and rng.random() < FAMILY_MOVED:
                        # The family moved: the rolled brothers and sisters joined their next
                        # school when the lost child left the last (the lost one joined none).
                        record["leaving_date"], joined = moved_at(rng)
                        for sibling in households.get(child.get("household", ""), []):
                            sibling["entry_date"] = min(school_day(joined + timedelta(days=rng.randint(0, 3))), AS_OF)
                    truth = ("", f"no_roll_{kind}")
                record["id"] = f"LOST{number:07d}"
                # Known by the authority the child left: the old address (if any was kept).
                if record["address"] or record["postcode"]:
                    record["address"], record["postcode"] = old_address(g, left)
                record["entry_date"] = None
                if rng.random() < NO_LEAVING_DATE:
                    record["leaving_date"] = None
                records.append((record, truth))
            no_dates = rng.random() < NO_ENTRY_DATES
            with open(out / "roll" / f"la-{k:03d}.csv", "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(HEADER)
                w.writerows(row_of({**c, "leaving_date": None} | ({"entry_date": None} if no_dates else {}))
                            for c in roll)
            for record, truth in records:
                lost_writer.writerow(row_of(record))
                truth_writer.writerow([record["id"], *truth])
                counts[truth[1]] = counts.get(truth[1], 0) + 1
    return {"pupils": pupils, "lost": number, "authorities": authorities, "kinds": counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=2_500_000)
    parser.add_argument("--lost", type=int, default=100_000)
    parser.add_argument("--authorities", type=int, default=150)
    parser.add_argument("--found-share", type=float, default=0.6)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "data" / "national")
    args = parser.parse_args()
    start = time.perf_counter()
    made = make(args.pupils, args.lost, args.authorities, args.seed, args.out, args.found_share)
    print(f"wrote {made['pupils']:,} pupils in {made['authorities']} authorities and {made['lost']:,} lost-pupil "
          f"records to {args.out} in {time.perf_counter() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
