"""Business actions of identifying a child: an officer's word on a candidate for a referral, and
training the authority's matching model from its own children and referrals."""

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.identify.models import Decision, MatchDecision
from cme.intake.models import Referral, ReferralStatus
from cme.matching.adapter import Found
from cme.providers.models import Organisation


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
    if decision == Decision.NONE or found is None:
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
