"""Labelled referrals made from an authority's own roll, to check a model before it is used
(pure: no Django).

Training learns weights from referrals nobody has labelled, so it cannot see its own mistakes.
Before a new model replaces the one in use, both are scored on referrals whose answer is known:
referrals written from records of the roll with the errors referrals carry (the record is the
answer), and referrals about children on no roll who look like a rolled child, made by holding
records out of the index: a brother or sister whose household stays on the roll, a namesake
elsewhere born a year or more apart, a child unrelated to anyone. Those are the referrals a
model that takes household or name evidence for the child gets wrong.

The errors are simple and fixed (a letter wrong, a known short form, a date's day and month
swapped, a missing field): the check compares models on the same referrals, it does not claim
to measure one on real data.
"""

from __future__ import annotations

import random
import string
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from cme.matching import normalise as nm
from cme.matching.names import name_groups

# Shares of the no-roll referrals by the kind of child they are about.
NO_ROLL_KINDS = {"sibling": 0.35, "twin": 0.05, "namesake": 0.3, "unrelated": 0.3}
ON_ROLL_ERRORS = (
    "exact", "misspelt_forename", "misspelt_surname", "short_form", "dob_day_month", "dob_digit",
    "dob_year", "no_dob", "no_address", "names_swapped", "name_and_address", "name_only",
)


@dataclass(frozen=True)
class Labelled:
    referral: object  # an engine.Person
    truth: str | None  # the id of the record the referral is about; None: on no roll
    kind: str


@dataclass(frozen=True)
class Holdout:
    referrals: tuple[Labelled, ...]
    held_out: tuple[str, ...]  # record ids to take out of the index while scoring


def _household_key(p) -> tuple[str, str] | None:
    """Surname and home, as engine.Index.households reads them (the address, else the postcode)."""
    pc = nm.postcode(p.postcode)
    addr, _ = nm.address(p.address, pc)
    surname = "".join(nm.name_tokens(p.surname))
    place = addr or pc
    return (place, surname) if place and surname else None


def _misspell(rng: random.Random, name: str) -> str:
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)
    kind = rng.choice(("sub", "del", "swap"))
    if kind == "sub":
        return name[:i] + rng.choice(string.ascii_lowercase) + name[i + 1:]
    if kind == "del":
        return name[:i] + name[i + 1:]
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]


def _short_form(rng: random.Random, name: str, variants: dict[str, list[str]]) -> str:
    others = variants.get("".join(nm.name_tokens(name)), [])
    return rng.choice(others) if others else name


def _shift_dob(rng: random.Random, dob: date, kind: str) -> date | None:
    if kind == "dob_day_month" and dob.day <= 12 and dob.day != dob.month:
        return date(dob.year, dob.day, dob.month)
    if kind == "dob_year":
        try:
            return dob.replace(year=dob.year + rng.choice((-1, 1)))
        except ValueError:  # 29 February
            return dob
    if kind == "dob_digit":
        for _ in range(10):
            try:
                new = dob.replace(day=(dob.day % 10) + 10 * rng.choice((0, 1, 2)) or 1)
            except ValueError:
                continue
            if new != dob:
                return new
    return dob


def _with_errors(rng: random.Random, p, kind: str, variants: dict[str, list[str]], new_id: str):
    r = replace(p, id=new_id, upn="", former_surname="", preferred_forename="", preferred_surname="")
    if kind == "misspelt_forename":
        r = replace(r, forename=_misspell(rng, r.forename))
    elif kind == "misspelt_surname":
        r = replace(r, surname=_misspell(rng, r.surname))
    elif kind == "short_form":
        r = replace(r, forename=_short_form(rng, r.forename, variants))
    elif kind.startswith("dob_") and r.dob:
        r = replace(r, dob=_shift_dob(rng, r.dob, kind))
    elif kind == "no_dob":
        r = replace(r, dob=None)
    elif kind == "no_address":
        r = replace(r, address="", postcode="")
    elif kind == "names_swapped":
        r = replace(r, forename=r.surname, surname=r.forename, middle_names="")
    elif kind in ("name_and_address", "name_only"):
        r = replace(r, dob=None, sex="", middle_names="")
        if kind == "name_only":
            r = replace(r, address="", postcode="")
    # The usual gaps of a referral from a partner agency.
    if rng.random() < 0.4:
        r = replace(r, sex="")
    if rng.random() < 0.5:
        r = replace(r, middle_names="")
    return r


def make_holdout(people: Sequence, *, size: int = 1000, no_roll_share: float = 0.45, seed: int = 0) -> Holdout:
    """Labelled referrals from `people` (engine.Person records of the roll). The records in
    `held_out` must be taken out of the index while the referrals are scored."""
    rng = random.Random(seed)
    people = [p for p in people if p.forename and p.surname]
    if len(people) < 20:
        return Holdout((), ())
    households: dict[tuple[str, str], list] = defaultdict(list)
    for p in people:
        key = _household_key(p)
        if key:
            households[key].append(p)
    in_family = [ps for ps in households.values() if len(ps) >= 2]
    singles = [ps[0] for ps in households.values() if len(ps) == 1]
    variants: dict[str, list[str]] = defaultdict(list)
    for name, groups in name_groups().items():
        for g in groups:
            variants[g].append(name)
    by_name = {name: sorted({n for g in groups for n in variants[g]} - {name}) for name, groups in name_groups().items()}

    n_no_roll = round(size * no_roll_share)
    held: set[str] = set()
    out: list[Labelled] = []
    kinds = list(NO_ROLL_KINDS)
    weights = list(NO_ROLL_KINDS.values())
    for i in range(n_no_roll):
        kind = rng.choices(kinds, weights=weights)[0]
        error = rng.choice(ON_ROLL_ERRORS)
        if kind in ("sibling", "twin") and in_family:
            family = rng.choice(in_family)
            child = rng.choice(family)
            if child.id in held:
                continue
            held.add(child.id)
            if kind == "twin":  # born the same day as a brother or sister who stays on the roll
                twin = next((p for p in family if p.id != child.id and p.id not in held), None)
                child = replace(child, dob=twin.dob if twin else child.dob)
        elif kind == "namesake":
            pupil = rng.choice(people)
            other = rng.choice(people)
            dob = pupil.dob + timedelta(days=rng.choice((-1, 1)) * rng.randint(366, 1500)) if pupil.dob else None
            # Lives elsewhere: another area's postcode, and no address (a made-up one could be
            # someone's on the roll, which would make the namesake that child's household).
            child = replace(pupil, dob=dob, address="", postcode=other.postcode, middle_names="")
            error = rng.choice(("exact", "misspelt_forename", "no_address", "dob_day_month"))
        else:
            if not singles:
                continue
            child = rng.choice(singles)
            if child.id in held:
                continue
            held.add(child.id)
            kind = "unrelated"
        referral = _with_errors(rng, child, error, by_name, f"holdout-n{i}")
        out.append(Labelled(referral, None, f"no_roll_{kind}"))
    staying = [p for p in people if p.id not in held]
    for i in range(size - len(out)):
        child = rng.choice(staying)
        error = ON_ROLL_ERRORS[i % len(ON_ROLL_ERRORS)]
        out.append(Labelled(_with_errors(rng, child, error, by_name, f"holdout-r{i}"), child.id, error))
    rng.shuffle(out)
    return Holdout(tuple(out), tuple(sorted(held)))
