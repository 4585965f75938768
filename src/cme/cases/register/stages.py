"""Which stage moves a case may make (pure: no Django).

A case moves forward along the guide's process steps and may skip steps (a child can be found
at the first visit). It goes back only to "locating", when a located child is lost again.
Closing needs an outcome and goes through case_close; reopening through case_reopen.
"""

STAGES = (
    "received",
    "identified",
    "logged",
    "locating",
    "located",
    "needs_determined",
    "provision_identified",
    "accessing_provision",
    "in_provision",
    "closed",
)

# Key date set when a case first reaches a stage (the guide's dates for management monitoring).
STAGE_DATE_FIELD = {
    "located": "located_on",
    "needs_determined": "assessed_on",
    "provision_identified": "provision_determined_on",
    "in_provision": "moved_into_provision_on",
}


def move_problem(from_stage: str, to_stage: str) -> str | None:
    """Why a move is impossible, or None when it is allowed."""
    if to_stage not in STAGES:
        return f"“{to_stage}” is not a stage"
    if from_stage == "closed":
        return "A closed case must be reopened before it can move"
    if to_stage == "closed":
        return "Close a case with an outcome, not by moving its stage"
    if to_stage == from_stage:
        return "The case is already at that stage"
    if STAGES.index(to_stage) > STAGES.index(from_stage):
        return None
    if to_stage == "locating" and STAGES.index(from_stage) > STAGES.index("locating"):
        return None  # a located child is lost again
    return "A case cannot move back to an earlier stage, except to locating"


def allowed_moves(from_stage: str) -> list[str]:
    return [s for s in STAGES if move_problem(from_stage, s) is None]
