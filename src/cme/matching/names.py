"""Forename groups: nicknames, diminutives and spellings of the same name (pure: no Django).

English nicknames come from the `nicknames` package; spellings across languages and a few
diminutives it lacks come from data/name-variants.csv. See data/SOURCES.md.
"""

from collections import defaultdict
from functools import cache
from pathlib import Path

import nicknames

from cme.matching.normalise import name_tokens

VARIANTS_FILE = Path(__file__).resolve().parent / "data" / "name-variants.csv"


def _key(name: str) -> str:
    return "".join(name_tokens(name))


@cache
def name_groups() -> dict[str, frozenset[str]]:
    """Normalised forename → keys of the groups it belongs to (a name may be in several)."""
    groups: dict[str, set[str]] = defaultdict(set)
    for t in nicknames.name_triplets():
        if t.relationship != "has_nickname":
            continue
        canonical, nickname = _key(t.name1), _key(t.name2)
        group = f"en:{canonical}"
        groups[canonical].add(group)
        groups[nickname].add(group)
    for line in VARIANTS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        names = [_key(n) for n in line.split(",") if n.strip()]
        group = f"v:{names[0]}"
        for name in names:
            groups[name].add(group)
    return {name: frozenset(keys) for name, keys in groups.items() if name}


def groups_of(name: str) -> frozenset[str]:
    return name_groups().get(name, frozenset())


def are_variants(a: str, b: str) -> bool:
    """True when two normalised forenames are forms of one name (Bill and William)."""
    return a != b and bool(groups_of(a) & groups_of(b))
