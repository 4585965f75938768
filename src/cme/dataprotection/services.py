"""Disposal at the end of the retention period (issue 15 point 5): delete or anonymise what the
schedule says is past it, audited, leaving the audit chain verifiable.

    cme retention-dispose            # dry run: what is past its retention, nothing changed
    cme retention-dispose --apply    # delete and anonymise it

Each batch is one transaction with its own disposal event in the audit chain (action "dispose"):
a run stopped midway leaves whole batches done and the rest for the next run. The child's audit
events are anonymised (cme.audit.services.audit_anonymise), never deleted: the chain keeps who did
what and when, the disposal event names the events it blanked, and `cme audit verify` passes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError

from cme.audit.models import Action, AuditEvent, AuditEventChild
from cme.audit.services import audit_anonymise, audit_record
from cme.core.records import history_model
from cme.dataprotection import schedule
from cme.dataprotection import selectors as s

CHILD_BATCH = 200
BATCH = 2000


class DisposalError(Exception):
    pass


@dataclass
class Outcome:
    """What a run found past its retention and, with apply, what it did."""

    record_type: str
    rule: schedule.Rule
    found: int = 0
    deleted: Counter = field(default_factory=Counter)  # model label -> rows deleted
    anonymised: int = 0  # audit events blanked
    kept_audit_events: int = 0  # written before events could be anonymised (chain version 1)


def delete_records(*, found: dict[type[models.Model], set[Any]]) -> Counter:
    """Delete every record found (records_held_on), those pointed at last; then their history."""
    remaining = {m: ids for m, ids in found.items() if ids}
    counts: Counter = Counter()
    while remaining:
        progress = False
        for model in list(remaining):
            try:
                # A savepoint, so that a refusal (another record still pointing at these) leaves
                # the transaction usable: the refusal comes before any row is deleted anyway.
                done: Counter = Counter()
                with transaction.atomic():
                    keys = sorted(remaining[model])
                    for start in range(0, len(keys), 900):
                        _, per_model = model._default_manager.filter(pk__in=keys[start:start + 900]).delete()
                        done.update(per_model)
            except (ProtectedError, RestrictedError):
                continue
            counts.update(done)
            del remaining[model]
            progress = True
        if not progress:
            raise DisposalError("could not delete " + ", ".join(m._meta.label for m in remaining)
                                + ": other records still point at them")
    for model, ids in found.items():
        history = history_model(model)
        if history is not None and ids:
            keys = sorted(ids)
            for start in range(0, len(keys), 900):
                n, _ = history._default_manager.filter(id__in=keys[start:start + 900]).delete()
                counts[history._meta.label] += n
    return +counts


def _events_about(child_ids: list[int]) -> list[int]:
    about = set(AuditEvent.objects.filter(child_id__in=child_ids).exclude(action=Action.DISPOSE)
                .values_list("pk", flat=True))
    named = set(AuditEventChild.objects.filter(child_id__in=child_ids).values_list("event_id", flat=True))
    named = set(AuditEvent.objects.filter(pk__in=named).exclude(action=Action.DISPOSE).values_list("pk", flat=True))
    return sorted(about | named)


def _dispose_children(rule: schedule.Rule, out: Outcome, *, as_of: dt.date, apply: bool,
                      progress: Callable[[str], None]) -> None:
    found = sorted(s.children_past_retention(rule, as_of=as_of), key=lambda r: (r[1], r[0]))
    out.found = len(found)
    if not apply:
        return
    for la_id, rows in groupby(found, key=lambda r: r[1]):
        rows_of_la = list(rows)
        for start in range(0, len(rows_of_la), CHILD_BATCH):
            batch = rows_of_la[start:start + CHILD_BATCH]
            ids = [pk for pk, _, _ in batch]
            with transaction.atomic():
                deleted = delete_records(found=s.records_held_on(s.Child, set(ids)))
                anonymised, kept = audit_anonymise(_events_about(ids))
                audit_record(
                    actor=None, action=Action.DISPOSE, object_type="child", la_id=la_id, child_ids=ids,
                    summary=f"Deleted {len(ids)} children's records past their retention period ({rule.summary})",
                    detail={"record_type": "child", "as_of": as_of.isoformat(), "children": ids,
                            "deleted": dict(deleted), "anonymised_events": anonymised,
                            "events_kept_as_written": kept, "source": rule.source[:300]})
            out.deleted.update(deleted)
            out.anonymised += len(anonymised)
            out.kept_audit_events += len(kept)
            progress(f"child: {start + len(batch):,} of {len(rows_of_la):,} in authority {la_id}")


def _dispose_rows(rule: schedule.Rule, out: Outcome, qs: models.QuerySet, *, as_of: dt.date, apply: bool,
                  progress: Callable[[str], None], la_of: Callable[[models.QuerySet], Iterable[tuple[Any, Any]]]) -> None:
    """Delete the rows of `qs` (and what is held on them) in batches, one disposal event each,
    per authority (`la_of` gives (pk, la id) so that each authority's managers see theirs)."""
    out.found = qs.count()
    if not apply or not out.found:
        return
    by_la: dict[Any, list[Any]] = defaultdict(list)
    for pk, la_id in la_of(qs):
        by_la[la_id].append(pk)
    done = 0
    for la_id, pks in sorted(by_la.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
        for start in range(0, len(pks), BATCH):
            ids = pks[start:start + BATCH]
            with transaction.atomic():
                deleted = delete_records(found=s.records_held_on(qs.model, set(ids)))
                audit_record(
                    actor=None, action=Action.DISPOSE, object_type=rule.record_type, la_id=la_id,
                    summary=f"Deleted {len(ids)} {rule.record_type.replace('_', ' ')} records past their "
                            f"retention period ({rule.summary})",
                    detail={"record_type": rule.record_type, "as_of": as_of.isoformat(), "ids": ids,
                            "deleted": dict(deleted), "source": rule.source[:300]})
            out.deleted.update(deleted)
            done += len(ids)
            progress(f"{rule.record_type}: {done:,} of {out.found:,}")


def _anonymise_events(rule: schedule.Rule, out: Outcome, *, as_of: dt.date, apply: bool,
                      progress: Callable[[str], None]) -> None:
    qs = s.audit_events_past_retention(rule, as_of=as_of)
    out.found = qs.count()
    out.kept_audit_events = (AuditEvent.objects.filter(at__date__lt=rule.cutoff(as_of), hash_version=1)
                             .exclude(action=Action.DISPOSE).count())
    if not apply:
        return
    while True:
        ids = list(qs.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        with transaction.atomic():
            anonymised, _ = audit_anonymise(ids)
            audit_record(actor=None, action=Action.DISPOSE, object_type="audit_event",
                         summary=f"Anonymised {len(anonymised)} audit events past their retention period "
                                 f"({rule.summary})",
                         detail={"record_type": "audit_event", "as_of": as_of.isoformat(),
                                 "anonymised_events": anonymised, "source": rule.source[:300]})
        out.anonymised += len(anonymised)
        progress(f"audit_event: {out.anonymised:,} of {out.found:,}")


def _pk_la(field_name: str | None) -> Callable[[models.QuerySet], Iterable[tuple[Any, Any]]]:
    def pairs(qs: models.QuerySet) -> Iterable[tuple[Any, Any]]:
        if field_name is None:
            return ((pk, None) for pk in qs.values_list("pk", flat=True).iterator())
        return qs.values_list("pk", field_name).iterator()
    return pairs


def retention_dispose(*, rules: dict[str, schedule.Rule], as_of: dt.date, apply: bool = False,
                      progress: Callable[[str], None] = lambda _: None) -> list[Outcome]:
    """Find, and with `apply` dispose of, everything past its retention period, record type by
    record type. The child's whole record goes first (it takes its registers and referrals)."""
    outcomes = {name: Outcome(name, rule) for name, rule in rules.items()}
    _dispose_children(rules["child"], outcomes["child"], as_of=as_of, apply=apply, progress=progress)
    rows = {
        "register_year": (s.register_years_past_retention, "provider__la_id"),
        "referral_without_case": (s.referrals_without_case_past_retention, "la_id"),
        "email": (s.emails_past_retention, None),
        "peer_message": (s.peer_messages_past_retention, None),
    }
    for name, (select, la_field) in rows.items():
        _dispose_rows(rules[name], outcomes[name], select(rules[name], as_of=as_of), as_of=as_of, apply=apply,
                      progress=progress, la_of=_pk_la(la_field))
    _anonymise_events(rules["audit_event"], outcomes["audit_event"], as_of=as_of, apply=apply, progress=progress)
    return list(outcomes.values())

