"""Every record held on some records (a child, a referral), found by the models' own keys: used
by the subject-access export (everything held on a child) and by disposal at the end of the
retention period (everything to delete with it). A room added later is included without a list
kept by hand. The audit trail is not walked: each caller treats it apart.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q

# Keys that make a record part of the one it points at: deleting that one takes this one too. A
# key that is merely cleared (SET_NULL) points at something the record does not belong to (a
# leaver's referral, a new entry's matched case).
OWNING = (models.CASCADE, models.PROTECT, models.RESTRICT)


def history_model(model: type[models.Model]) -> type[models.Model] | None:
    """The model's django-simple-history copies (one row per version, keyed by the record's id)."""
    name = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, name).model if name else None


def records_linked(model: type[models.Model], ids: set[Any], *, owned_only: bool,
                   skip_apps: frozenset[str] = frozenset({"audit"})) -> dict[type[models.Model], set[Any]]:
    """The records themselves, every record with a key to one of them, every record with a key to
    one of those, and so on (a case's notes, a register's changes, a hand-off's messages).
    `owned_only`: follow only the keys that make a record part of another (OWNING)."""
    found: dict[type[models.Model], set[Any]] = {model: set(ids)}
    frontier: dict[type[models.Model], set[Any]] = {model: set(ids)}
    every = [m for m in apps.get_models() if m._meta.app_label not in skip_apps and not m._meta.proxy]
    while frontier:
        grown: dict[type[models.Model], set[Any]] = {}
        for candidate in every:
            q = Q()
            any_key = False
            for f in candidate._meta.concrete_fields:
                target = f.related_model if f.is_relation else None
                if not (isinstance(target, type) and frontier.get(target)):
                    continue
                if owned_only and getattr(f.remote_field, "on_delete", None) not in OWNING:
                    continue
                keys = sorted(frontier[target])
                for start in range(0, len(keys), 900):
                    q |= Q(**{f"{f.attname}__in": keys[start:start + 900]})
                any_key = True
            if not any_key:
                continue
            new = set(candidate._default_manager.filter(q).values_list("pk", flat=True)) - found.get(candidate, set())
            if new:
                found.setdefault(candidate, set()).update(new)
                grown[candidate] = new
        frontier = grown
    return found


def with_history(found: dict[type[models.Model], set[Any]]) -> dict[type[models.Model], set[Any]]:
    """The found records plus every history copy of them (found by the record's id)."""
    out = {m: set(ids) for m, ids in found.items()}
    for model, ids in found.items():
        history = history_model(model)
        if history is None or not ids:
            continue
        keys = sorted(ids)
        for start in range(0, len(keys), 900):
            out.setdefault(history, set()).update(
                history._default_manager.filter(id__in=keys[start:start + 900]).values_list("pk", flat=True))
    return out
