"""What matching asks of the rooms above it, without importing them (issue 9's floors).

Training estimates how often a referral is about a child on the register from the authority's
own referrals, which belong to a higher room (intake); that room tells matching how to read them
by registering a function here when the app loads (cme.identify.hooks).
"""

from collections.abc import Callable

from cme.matching.engine import Person

_training_referrals: Callable[[int], list[Person]] | None = None


def register_training_referrals(reader: Callable[[int], list[Person]]) -> None:
    """`reader(la_id)`: the authority's referrals as the engine reads them, newest first."""
    global _training_referrals
    _training_referrals = reader


def training_referrals(la_id: int) -> list[Person]:
    return _training_referrals(la_id) if _training_referrals is not None else []
