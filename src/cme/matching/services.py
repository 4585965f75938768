"""Business actions of matching: an officer's decision on a candidate, noting that the index
must be refreshed, and training the authority's model."""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.intake.models import Referral, ReferralStatus
from cme.matching.adapter import Found
from cme.matching.models import Decision, IndexChange, IndexState, MatchDecision
from cme.providers.models import Organisation


class _Pending:
    """The versions this connection's open transaction has taken, per authority, and the
    children it has recorded: a roll import that saves 2,000 children bumps the version once."""

    def __init__(self):
        self.by_la: dict[int, tuple[int, set[int]]] = {}

    def __call__(self):
        pass  # registered with on_commit only to mark the transaction; nothing to do after it


_PENDING = "_cme_matching_pending"


def _pending() -> dict[int, tuple[int, set[int]]]:
    """This transaction's versions. Django drops on_commit callbacks when the transaction (or
    the savepoint they were registered in) ends, so a marker still listed means the same one."""
    connection = transaction.get_connection()
    marker = getattr(connection, _PENDING, None)
    if marker is None or not any(item[1] is marker for item in connection.run_on_commit):
        marker = _Pending()
        setattr(connection, _PENDING, marker)
        transaction.on_commit(marker)
    return marker.by_la


def index_version_read() -> None:
    """Called when this connection reads the version: a later change in the same transaction
    must take a new version, or the reader would not notice it."""
    setattr(transaction.get_connection(), _PENDING, None)


@transaction.atomic
def index_changed(*, la_id: int, child_ids: Iterable[int] = (), provider_id: int | None = None) -> int:
    """Note that these children (or a provider's whole roll) changed; returns the version.

    The state row is locked until the changing transaction commits, so versions are handed out
    in commit order and a process that has read version v has seen every change up to v.
    """
    pending = _pending()
    if la_id not in pending:
        state, _ = IndexState.objects.select_for_update().get_or_create(la_id=la_id)
        state.version += 1
        state.save(update_fields=["version"])
        pending[la_id] = (state.version, set())
    version, recorded = pending[la_id]
    new = [c for c in dict.fromkeys(child_ids) if c not in recorded]
    recorded.update(new)
    changes = [IndexChange(la_id=la_id, version=version, child_id=c) for c in new]
    if provider_id is not None:
        changes.append(IndexChange(la_id=la_id, version=version, provider_id=provider_id))
    if changes:
        IndexChange.objects.bulk_create(changes)
    return version


@transaction.atomic
def index_changes_prune(*, la_id: int, keep: int = 100_000) -> int:
    """Forget all but the last `keep` changes; a process holding an older index rebuilds it."""
    state, _ = IndexState.objects.select_for_update().get_or_create(la_id=la_id)
    through = state.version - keep
    if through <= state.pruned_through:
        return 0
    deleted, _ = IndexChange.objects.filter(la_id=la_id, version__lte=through).delete()
    state.pruned_through = through
    state.save(update_fields=["pruned_through"])
    return deleted


def _evidence_snapshot(found: Found) -> list[dict]:
    return [
        {"field": e.field, "outcome": e.outcome, "level": e.level, "weight": e.weight, "description": e.description}
        for e in found.evidence
    ]


@transaction.atomic
def match_decision_record(*, actor, referral: Referral, decision: str, found: Found | None = None) -> MatchDecision:
    """Record the officer's word on a candidate: this is the child, not this child, or none of
    them (the child is on no roll). Nothing is merged: triage then uses the confirmed child."""
    if decision not in Decision.values:
        raise ValidationError({"decision": "Choose whether this is the child"})
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.AWAITING_TRIAGE:
        raise ValidationError({"referral": f"Referral {referral.reference} has already been triaged"})
    if decision != Decision.NONE and found is None:
        raise ValidationError({"child": "Choose one of the children found"})
    record = MatchDecision.objects.create(
        referral=referral,
        child_id=found.child_id if found and decision != Decision.NONE else None,
        decision=decision,
        probability=found.probability if found and decision != Decision.NONE else None,
        explanation=_evidence_snapshot(found) if found and decision != Decision.NONE else [],
        placement=found.placement if found and decision != Decision.NONE else "",
        providers=[{"id": p.id, "name": p.name, "kind": p.kind, "laestab": p.laestab} for p in found.providers]
        if found and decision != Decision.NONE else [],
        decided_by=actor,
        decided_at=timezone.now(),
    )
    if decision == Decision.NONE:
        summary = f"Found referral {referral.reference} matches no child on a roll"
    else:
        verb = "Confirmed" if decision == Decision.CONFIRMED else "Rejected"
        summary = f"{verb} child {found.child_id} as the child of referral {referral.reference} (probability {found.probability:.3f})"
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        object_type="referral",
        object_id=referral.reference,
        child_id=record.child_id,
        la_id=referral.la_id,
        summary=summary,
        detail={"decision": decision, "probability": record.probability, "placement": record.placement,
                "providers": [p["name"] for p in record.providers]},
    )
    return record


@dataclass(frozen=True)
class TrainingResult:
    path: Path | None  # the model file in use afterwards (None: the engine's defaults)
    kept: str  # "trained", "previous" or "default"
    calibration: dict  # each model's held-out calibration (cme.matching.calibration), as dicts


def matching_model_train(*, la: Organisation, seed: int = 0) -> TrainingResult:
    """Estimate the authority's weights from its own children and referrals. The new model is
    saved, and so used, only if on labelled held-out referrals it does no worse than the model
    in use (or the engine's defaults); otherwise the model in use stays."""
    from cme.matching import adapter
    from cme.matching.engine import Model

    current = adapter.newest_model_path(la)
    incumbent = None
    if current is not None:
        try:
            incumbent = Model.load(current)
        except (ValueError, KeyError, OSError):
            current = None  # unreadable: the trained model is compared with the defaults
    choice = adapter.train_model(la, seed=seed, incumbent=incumbent)
    path = adapter.save_model(la, choice.model) if choice.kept == "trained" else current
    calibration = {name: c.to_dict() for name, c in choice.calibration.items()}
    with transaction.atomic():
        audit_record(
            actor=None,
            action=Action.CREATE if choice.kept == "trained" else Action.CHANGE,
            object_type="matching_model",
            object_id=path.name if path else "defaults",
            la_id=la.pk,
            summary=(f"Trained the matching model of {la.name}" if choice.kept == "trained" else
                     f"Trained a matching model for {la.name} but kept the {choice.kept} one: the new one did worse on held-out referrals"),
            detail={"trained_on": choice.model.trained_on, "kept": choice.kept,
                    "prior_match_rate": choice.model.prior_match_rate,
                    "held_out": {name: {k: c[k] for k in ("wrong_links", "ece", "brier", "f1")}
                                 for name, c in calibration.items()}},
        )
    return TrainingResult(path, choice.kept, calibration)
