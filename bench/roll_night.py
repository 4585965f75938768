"""A night's roll imports for a whole authority, as the load test runs them (issue 15 point 1).

    .venv/bin/python bench/roll_night.py --la-name "Large" [--churn 0.01] [--database-url ...]

Every school of the authority sends its roll: the roll each school has on the register now, as
CSV (docs/roll-csv.md), with a share (--churn) of its pupils gone and as many new ones in their
place, so that each night has leavers, joiners and new children to match, as a real night has.
The files are written first (not timed), then imported one after another in this one process by
the service every roll upload uses (`roll_import_csv`, all or nothing per school), as the task
queue's worker would. Prints the pupils imported, the time and the figures of the imports; exit 0
when every import was taken.
"""

import argparse
import csv
import io
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "src"))

FIELDS = ["upn", "legal_surname", "legal_forename", "middle_names", "date_of_birth", "sex", "year_group",
          "entry_date", "postcode"]


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python bench/roll_night.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL",
                                                            "postgres://postgres@127.0.0.1:5432/cme_bench_mi"))
    p.add_argument("--la-code", default=None, help="the authority's 3-digit code (default: the largest)")
    p.add_argument("--churn", type=float, default=0.01, help="share of each roll replaced (default 0.01)")
    p.add_argument("--as-of", default=date.today().isoformat())
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--schools", type=int, default=None, help="only the first N schools (for profiling)")
    return p.parse_args(argv)


def school_rolls(la_code: str | None, churn: float, rng: random.Random,
                 limit: int | None = None) -> list[tuple[object, bytes, int]]:
    """(provider, roll CSV, pupils) for every school of the authority, from its current roll."""
    from django.db.models import Count

    from cme.people.identifiers import upn_check_letter
    from cme.providers.models import Enrolment, Organisation, OrgKind

    schools = Organisation.objects.filter(kind=OrgKind.SCHOOL, la__isnull=False)
    if la_code is None:
        la_code = (schools.values("la_code").annotate(n=Count("id")).order_by("-n").first() or {}).get("la_code")
    schools = list(schools.filter(la_code=la_code).order_by("estab"))[:limit]
    rows_by_school: dict[int, list[dict]] = {s.pk: [] for s in schools}
    current = (Enrolment.objects.filter(provider__in=schools, leaving_date__isnull=True)
               .values_list("provider_id", "upn", "child__legal_surname", "child__legal_forename",
                            "child__legal_middle_names", "child__date_of_birth", "child__sex", "year_group",
                            "entry_date"))
    for provider_id, upn, surname, forename, middle, dob, sex, year, entry in current.iterator(chunk_size=5000):
        rows_by_school[provider_id].append({
            "upn": upn or "", "legal_surname": surname, "legal_forename": forename, "middle_names": middle or "",
            "date_of_birth": dob.isoformat(), "sex": sex, "year_group": {"0": "R"}.get(year, year or ""),
            "entry_date": entry.isoformat() if entry else "", "postcode": ""})
    out = []
    taken = {r["upn"] for rows in rows_by_school.values() for r in rows}
    serial = rng.randrange(10**6)
    for school in schools:
        rows = rows_by_school[school.pk]
        gone = set(rng.sample(range(len(rows)), int(len(rows) * churn))) if rows else set()
        kept = [r for i, r in enumerate(rows) if i not in gone]
        for _ in gone:  # a new pupil in each leaver's place, with a new UPN of this school
            upn = ""
            while not upn or upn in taken:
                serial += 1
                body = f"{school.la_code}{school.estab}{serial % 100:02d}{serial // 100 % 1000:03d}"
                upn = upn_check_letter("A" + body) + body
            taken.add(upn)
            kept.append({"upn": upn,
                         "legal_surname": rng.choice(["Okafor", "Nowak", "Begum", "Murphy", "Patel", "Smith"]),
                         "legal_forename": rng.choice(["Amira", "Leo", "Zofia", "Ryan", "Isla", "Yusuf"])
                         + f"{serial % 1000:03d}".translate(str.maketrans("0123456789", "abcdefghij")),
                         "middle_names": "", "date_of_birth": f"{2011 + serial % 7}-{1 + serial % 12:02d}-"
                         f"{1 + serial % 28:02d}", "sex": rng.choice("MF"), "year_group": "",
                         "entry_date": "", "postcode": ""})
        buf = io.StringIO()
        w = csv.DictWriter(buf, FIELDS)
        w.writeheader()
        w.writerows(kept)
        out.append((school, buf.getvalue().encode(), len(kept)))
    return out


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cme.settings")
    os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from cme.movements.services import RollRefused, roll_import_csv

    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    rolls = school_rolls(args.la_code, args.churn, rng, args.schools)
    made = time.perf_counter() - t0
    as_of = date.fromisoformat(args.as_of)
    pupils = joined = left = new = asked = refused = 0
    t1 = time.perf_counter()
    for school, data, n in rolls:
        try:
            record = roll_import_csv(actor=None, provider=school, as_of=as_of, data=data,
                                     file_name=f"{school.la_code}{school.estab}.csv")
        except RollRefused as error:
            refused += 1
            print(f"{school.name}: refused: {str(error)[:300]}", file=sys.stderr)
            continue
        pupils += n
        joined, left, new, asked = (joined + record.joined, left + record.left, new + record.new_children,
                                    asked + record.to_identify)
    took = time.perf_counter() - t1
    print(f"{len(rolls)} schools, {pupils:,} pupils imported in {took:.1f} s (files made in {made:.1f} s): "
          f"{joined:,} joined, {left:,} left, {new:,} new children, {asked:,} to identify, {refused} refused")
    return 0 if refused == 0 and rolls else 1


if __name__ == "__main__":
    sys.exit(main())
