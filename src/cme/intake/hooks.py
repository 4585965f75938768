"""What intake asks of the room above it, without importing it (issue 9's floors): the triage
page and the referral page show who the referred child may be and what officers decided, which
is the identify room's work (cme.identify registers these when it loads)."""

from collections.abc import Callable
from typing import Any

_candidates: Callable[..., tuple[list, Any]] | None = None
_decided: Callable[..., Any] | None = None


def register_identification(candidates: Callable[..., tuple[list, Any]], decided: Callable[..., Any]) -> None:
    """`candidates(user=, referral=)` -> (candidates, identification), matched now and audited;
    `decided(referral=)` -> identification from the officers' decisions alone."""
    global _candidates, _decided
    _candidates, _decided = candidates, decided


def referral_candidates(*, user, referral) -> tuple[list, Any]:
    if _candidates is None:
        raise RuntimeError("No room identifies referred children (is cme.identify installed?)")
    return _candidates(user=user, referral=referral)


def referral_identification(*, referral) -> Any:
    if _decided is None:
        raise RuntimeError("No room identifies referred children (is cme.identify installed?)")
    return _decided(referral=referral)
