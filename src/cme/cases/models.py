"""The cases app's models, by concept: the register (a case, its notes, stage moves and tasks),
case work (enquiries, locating, needs, closure, evidence), escalation, and the work queues'
digests. Django reads the app's models from here; code inside the app imports each from its
own room, so that the rooms' layers hold."""

from cme.cases.casework.models import (
    ApprovalState,
    ClosureRequest,
    ClosureState,
    DeletionGround,
    Enquiry,
    EnquiryKind,
    JointEnquiryEvidence,
    LocationRecord,
    NeedsAssessment,
    OtherLaReferral,
    ProvisionKind,
    SenStatus,
)
from cme.cases.escalation.models import Escalation, EscalationReason
from cme.cases.queues.models import Digest, DigestKind
from cme.cases.register.models import (
    OPEN_STAGES,
    STAGE_ORDER,
    Case,
    CaseNote,
    Category,
    KeyWorkerRole,
    Outcome,
    Reason,
    Stage,
    StageChange,
    Task,
    TaskKind,
    Whereabouts,
)

__all__ = [
    "OPEN_STAGES", "STAGE_ORDER", "ApprovalState", "Case", "CaseNote", "Category", "ClosureRequest",
    "ClosureState", "DeletionGround", "Digest", "DigestKind", "Enquiry", "EnquiryKind", "Escalation",
    "EscalationReason", "JointEnquiryEvidence", "KeyWorkerRole", "LocationRecord", "NeedsAssessment",
    "OtherLaReferral", "Outcome", "ProvisionKind", "Reason", "SenStatus", "Stage", "StageChange", "Task",
    "TaskKind", "Whereabouts",
]
