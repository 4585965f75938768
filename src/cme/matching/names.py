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


# Yoruba names that open with a praise of God ("Oluwa", "Olu") are called by what follows, or by its
# first syllables: Oluwatomiwa is Tomi, Oluwadamilola Dami, Olufemi Femi, Oluwaseun Seun. Too
# many such names for a list; the rule is asymmetric (Tomi is Oluwatomiwa and Oluwatomisin, but
# those two are different names), so it is not a group.
_PRAISE_PREFIXES = ("oluwa", "olu")
MIN_SHORT_FORM = 4  # Tomi, Dami, Femi, Seun, Kemi; not "Tom"


def short_forms(name: str) -> tuple[str, ...]:
    """The short forms a normalised forename is called by, if it opens with "Oluwa" or "Olu":
    each start of the rest of the name of at least MIN_SHORT_FORM letters (Oluwatomiwa: tomi,
    tomiw, tomiwa)."""
    for prefix in _PRAISE_PREFIXES:
        if name.startswith(prefix) and len(name) - len(prefix) >= MIN_SHORT_FORM:
            rest = name[len(prefix):]
            return tuple(rest[:k] for k in range(MIN_SHORT_FORM, len(rest) + 1))
    return ()


def groups_of(name: str) -> frozenset[str]:
    return name_groups().get(name, frozenset())


def are_variants(a: str, b: str) -> bool:
    """True when two normalised forenames are forms of one name (Bill and William, Tomi and
    Oluwatomiwa)."""
    return a != b and (bool(groups_of(a) & groups_of(b)) or a in short_forms(b) or b in short_forms(a))
