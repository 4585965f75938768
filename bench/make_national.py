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
"""

import argparse
import csv
import random
import sys
import time
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

HEADER = (*COLUMNS, "preferred_forename")
NO_ROLL_KINDS = {"sibling": 0.30, "twin": 0.05, "namesake": 0.20, "unrelated": 0.45}
UPN_GIVEN = {"same": 0.3, "other": 0.5, "none": 0.2}


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
    return [r["dob"].isoformat() if c == "dob" and r["dob"] else (r.get(c) or "") for c in HEADER]


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
            with open(out / "roll" / f"la-{k:03d}.csv", "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(HEADER)
                w.writerows(row_of(c) for c in roll)
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
                    truth = (child["id"], kind)
                else:
                    kind = rng.choices(list(NO_ROLL_KINDS), weights=list(NO_ROLL_KINDS.values()))[0]
                    child = no_roll_child(g, kind, roll, households, number)
                    record = referral_from(g, child, rng.choice(kinds_on_roll), number)
                    record["upn"] = make_upn(rng, temporary=False) if rng.random() < 0.8 else ""
                    truth = ("", f"no_roll_{kind}")
                record["id"] = f"LOST{number:07d}"
                # Known by the authority the child left: the old address (if any was kept).
                if record["address"] or record["postcode"]:
                    record["address"], record["postcode"] = old_address(g, left)
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
