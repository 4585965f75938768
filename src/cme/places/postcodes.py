"""Postcode coordinates from the ONS Postcode Directory (ONSPD) CSV, or any CSV with its columns
pcds (the postcode, one space), lat and long (pure: no Django).

ONSPD writes lat 99.999999 and long 0.000000 for a postcode it cannot place (no grid
reference): such rows are skipped, never stored as a point in the sea. `areas`, when given, keeps
only the postcodes of those areas (the letters before the first digit: "LS", "BD"), so that an
authority loads its own part of a 2.7 million-row file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cme.core.csvfile import CsvProblem, iter_csv

COLUMNS = ("pcds", "lat", "long")
NO_POINT_LAT = 99.999999


def normalise(value: str) -> str:
    compact = "".join((value or "").split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def area_of(postcode: str) -> str:
    out = ""
    for ch in postcode:
        if ch.isdigit():
            break
        out += ch
    return out


@dataclass
class PostcodeFile:
    points: dict[str, tuple[float, float]] = field(default_factory=dict)
    skipped: int = 0  # no grid reference, or outside the areas asked for
    problems: list[CsvProblem] = field(default_factory=list)


def read_onspd(data: bytes | str, *, areas: Iterable[str] = ()) -> PostcodeFile:
    wanted = {a.strip().upper() for a in areas if a.strip()}
    table, rows = iter_csv(data, required=COLUMNS, known=COLUMNS,
                           max_lengths={"pcds": 8, "lat": 12, "long": 12},
                           missing_hint=" (an ONS Postcode Directory CSV has pcds, lat and long)")
    out = PostcodeFile(problems=table.problems)
    for row in rows:
        postcode = normalise(row["pcds"])
        if wanted and area_of(postcode) not in wanted:
            out.skipped += 1
            continue
        try:
            lat, lon = float(row["lat"]), float(row["long"])
        except ValueError:
            out.problems.append(CsvProblem(row.number, "lat" if not _is_number(row["lat"]) else "long",
                                           "is not a number"))
            continue
        if abs(lat - NO_POINT_LAT) < 1e-6:
            out.skipped += 1
            continue
        if not (49.0 <= lat <= 61.5 and -9.0 <= lon <= 2.5):
            out.problems.append(CsvProblem(row.number, "lat", f"{lat}, {lon} is not in the United Kingdom"))
            continue
        if not 5 <= len(postcode) <= 8:
            out.problems.append(CsvProblem(row.number, "pcds", f"{row['pcds']!r} is not a postcode"))
            continue
        out.points[postcode] = (lat, lon)
    return out


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
