"""Suitable places for one child, ranked, each with its reasons in plain words.

Pure module: no Django, so that it can be tested and benchmarked alone (bench/places.py). The
caller turns the database into plain data (Option for each provider, Child for the child); this
module decides which providers are suitable and in which order.

Never suggested, whatever else: a closed provider, one with no place free in the child's year
group (or no figure for it: a place not known to be free is not offered), and one whose phase or
year groups do not take the child's year group. An alternative provider that serves only a radius
is not suggested beyond it.

Order: the family's preference first, then a brother's or sister's school, then the provision the
needs assessment recommended and the needs met, then distance (nearer first). Each of these is a
reason the officer reads; the score only orders them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Year groups as numbers: nursery N1 -2, N2 -1, reception 0, then 1 to 14.
YEAR_NUMBERS = {"N1": -2, "N2": -1, "R": 0, **{str(n): n for n in range(1, 15)}}

# The year groups each phase takes (Get Information About Schools' phases).
PHASE_YEARS: dict[str, tuple[int, int]] = {
    "nursery": (-2, -1),
    "primary": (0, 6),
    "middle": (4, 8),
    "secondary": (7, 13),
    "all_through": (0, 13),
    "special": (0, 14),
    "16_plus": (12, 14),
    "": (-2, 14),
}

NEED_LABELS = {
    "sen": "special educational needs support",
    "ehcp": "an education, health and care plan",
    "semh": "social, emotional and mental health needs",
    "medical": "medical needs",
    "newly_arrived": "children newly arrived in the country",
    "excluded": "children who have been excluded",
}

EARTH_RADIUS_KM = 6371.0088


def year_number(label: str) -> int | None:
    return YEAR_NUMBERS.get((label or "").strip().upper())


def year_label(number: int) -> str:
    if number == 0:
        return "R"
    if number == -1:
        return "N2"
    if number == -2:
        return "N1"
    return str(number)


def year_words(number: int) -> str:
    return "Reception" if number == 0 else ("Nursery" if number < 0 else f"Year {number}")


def year_group_for(date_of_birth: dt.date, on: dt.date) -> int:
    """The National Curriculum year group of a child born on date_of_birth, in the school year
    (1 September to 31 August) that holds `on`: reception in the year the child turns 5."""
    cohort = date_of_birth.year + (1 if date_of_birth.month >= 9 else 0)
    school_year = on.year if on.month >= 9 else on.year - 1
    return school_year - cohort - 4


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The straight-line (great-circle) distance between two points, in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Option:
    """One provider as the ranking reads it."""

    id: int
    laestab: str
    name: str
    kind: str  # school, pru, ap, fe, independent...
    phase: str = ""
    closed: bool = False
    # Places free by year group number; a year group not in it has no known figure.
    places_free: Mapping[int, int] = field(default_factory=dict)
    # The year groups and ages the provider takes, when narrower than its phase (None: any).
    low_year: int | None = None
    high_year: int | None = None
    low_age: int | None = None
    high_age: int | None = None
    needs_met: frozenset[str] = frozenset()
    lat: float | None = None
    lon: float | None = None
    serves_km: float | None = None  # an AP that serves only a radius
    stale: bool = False  # the places figure is older than the authority's limit


@dataclass(frozen=True)
class Child:
    year: int
    age: int | None = None
    needs: frozenset[str] = frozenset()
    lat: float | None = None
    lon: float | None = None
    # The provision the needs assessment recommended (mainstream, special, pru, alternative, college).
    recommended: str = ""
    preferred: frozenset[int] = frozenset()  # provider ids the family asked for
    sibling_schools: frozenset[int] = frozenset()  # provider ids where a brother or sister is on roll


@dataclass(frozen=True)
class Suggestion:
    option: Option
    year: int
    places_free: int
    distance_km: float | None
    score: float
    reasons: tuple[str, ...]

    @property
    def year_group(self) -> str:
        return year_label(self.year)


# What each recommended provision means in providers' kinds.
RECOMMENDED_KINDS = {
    "mainstream": frozenset({"school"}),
    "special": frozenset({"school"}),
    "pru": frozenset({"pru"}),
    "alternative": frozenset({"ap", "pru"}),
    "college": frozenset({"fe"}),
}


def _takes_year(option: Option, year: int) -> bool:
    low, high = PHASE_YEARS.get(option.phase, PHASE_YEARS[""])
    if option.low_year is not None:
        low = option.low_year
    if option.high_year is not None:
        high = option.high_year
    return low <= year <= high


def _takes_age(option: Option, age: int | None) -> bool:
    if age is None:
        return True
    if option.low_age is not None and age < option.low_age:
        return False
    return not (option.high_age is not None and age > option.high_age)


def suggest(child: Child, options: Iterable[Option], limit: int = 20) -> list[Suggestion]:
    """The suitable providers for the child, best first, at most `limit`."""
    found: list[Suggestion] = []
    year = child.year
    has_point = child.lat is not None and child.lon is not None
    wanted_kinds = RECOMMENDED_KINDS.get(child.recommended)
    for option in options:
        if option.closed:
            continue
        free = option.places_free.get(year)
        if free is None or free <= 0:
            continue
        if not _takes_year(option, year) or not _takes_age(option, child.age):
            continue
        distance = None
        if has_point and option.lat is not None and option.lon is not None:
            distance = haversine_km(child.lat, child.lon, option.lat, option.lon)  # type: ignore[arg-type]
            if option.serves_km is not None and distance > option.serves_km:
                continue
        score = 0.0
        reasons = [f"{year_words(year)}: {free} place{'s' if free != 1 else ''} free"]
        if option.low_age is not None and option.high_age is not None:
            reasons.append(f"Takes ages {option.low_age} to {option.high_age}")
        if option.id in child.preferred:
            score += 100
            reasons.append("The family asked for this provider")
        if option.id in child.sibling_schools:
            score += 60
            reasons.append("A brother or sister is on roll here")
        if (wanted_kinds is not None and option.kind in wanted_kinds
                and (child.recommended != "special" or option.phase == "special" or "ehcp" in option.needs_met)):
            score += 40
            reasons.append("The kind of provision the needs assessment recommended")
        met = sorted(child.needs & option.needs_met)
        if met:
            score += 15 * len(met)
            reasons.append("Meets " + " and ".join(NEED_LABELS.get(n, n) for n in met))
        missing = sorted(child.needs - option.needs_met) if option.kind in ("ap", "pru") else []
        if missing:
            score -= 10 * len(missing)
        if distance is not None:
            score -= distance  # a kilometre weighs a point
            reasons.append(f"{distance:.1f} km from the child's home in a straight line")
        else:
            score -= 50
            reasons.append("Distance not known (no coordinates for a postcode)")
        if option.stale:
            score -= 5
            reasons.append("The places figure is out of date: check before asking")
        found.append(Suggestion(option=option, year=year, places_free=free,
                                distance_km=None if distance is None else round(distance, 2),
                                score=score, reasons=tuple(reasons)))
    found.sort(key=lambda s: (-s.score, s.distance_km if s.distance_km is not None else 1e9, s.option.name))
    return found[:limit]
