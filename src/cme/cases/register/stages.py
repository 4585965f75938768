"""Which stage moves a case may make, and what must be true to enter each stage (pure: no Django).

A case moves forward along the guide's process steps and may pass quickly through several (a
child can be found at the first visit), but never past one whose evidence is missing: a case
is "located" only with a whereabouts record, "needs determined" only with a needs assessment,
and so on (``entry_problems``). It goes back only to "locating", when a located child is lost
again. "Logged" is reached by the service when the child's record is complete, never by a
click. Closing needs an outcome and goes through case_close; reopening through case_reopen.

The facts about one case come from the caller, as a mapping:
    record_missing  list of what the child's record lacks ("date of birth", ...); empty when complete
    whereabouts     a whereabouts record exists (found, moved, left the country), or the child of
                    an at-risk case is on a roll
    assessment      a completed needs assessment exists (approved where approval is needed)
    provider        the provider of the provision found is recorded
    start_date      the date the child starts at that provider is recorded
"""

from collections.abc import Mapping
from typing import Any

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


# What each stage needs, in the guide's order; a later stage needs everything an earlier one did
# from "located" on ("logged" needs only a complete record and gates nothing after it: a child
# can be found before their date of birth is known).
EVIDENCE = ("whereabouts", "assessment", "provider", "start_date")
NEEDS = {
    "located": ("whereabouts",),
    "needs_determined": ("whereabouts", "assessment"),
    "provision_identified": ("whereabouts", "assessment", "provider"),
    "accessing_provision": ("whereabouts", "assessment", "provider"),
    "in_provision": ("whereabouts", "assessment", "provider", "start_date"),
}
# The missing evidence, as the officer is told it.
MISSING = {
    "whereabouts": "record where the child is (found at an address, moved away or left the country)",
    "assessment": "complete the needs assessment",
    "provider": "record the provider of the provision found",
    "start_date": "record the date the child starts at that provider",
}
# Stages only the service moves a case to.
SERVICE_ONLY = ("logged",)


def record_problem(facts: Mapping[str, Any]) -> str | None:
    missing = list(facts.get("record_missing") or ())
    if not missing:
        return None
    return "add the child's " + _and(missing)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def entry_problems(to_stage: str, facts: Mapping[str, Any]) -> list[str]:
    """What is missing to enter ``to_stage``, as things to do; empty when the case may enter it."""
    if to_stage == "logged":
        problem = record_problem(facts)
        return [problem] if problem else []
    return [MISSING[need] for need in NEEDS.get(to_stage, ()) if not facts.get(need)]


def refusal(from_stage: str, to_stage: str, facts: Mapping[str, Any]) -> str | None:
    """Why the officer may not move the case from one stage to the other, or None.
    Combines the order of the stages with the evidence each needs."""
    if to_stage in SERVICE_ONLY and to_stage in STAGES:
        return ("A case is logged when the child's record is complete, not by moving it: "
                + (record_problem(facts) or "it is complete, so the service logs it"))
    if problem := move_problem(from_stage, to_stage):
        return problem
    problems = entry_problems(to_stage, facts)
    if problems:
        return f"Before the case can be {STAGE_PHRASES.get(to_stage, to_stage)}: {_and(problems)}"
    return None


STAGE_PHRASES = {
    "located": "located",
    "needs_determined": "at needs determined",
    "provision_identified": "at provision identified",
    "accessing_provision": "at accessing provision",
    "in_provision": "in provision",
}


def steps(stage: str, facts: Mapping[str, Any]) -> list[dict[str, str]]:
    """The case's task list: each of the guide's steps on a case with its state ("done",
    "to_do" with what to do, "cannot_start" until an earlier step is done)."""
    reached = STAGES.index(stage) if stage in STAGES else 0
    rows = []
    record = record_problem(facts)
    rows.append({"key": "record", "title": "Log the child's details",
                 "state": "to_do" if record else "done", "hint": (record or "").capitalize()})
    blocked = False
    for need, title in (("whereabouts", "Locate the child"), ("assessment", "Determine the child's needs"),
                        ("provider", "Identify provision and a place"),
                        ("start_date", "Start in provision")):
        if facts.get(need):
            rows.append({"key": need, "title": title, "state": "done", "hint": ""})
        elif blocked:
            rows.append({"key": need, "title": title, "state": "cannot_start", "hint": ""})
        else:
            rows.append({"key": need, "title": title, "state": "to_do",
                         "hint": MISSING[need].capitalize()})
            blocked = True
    in_provision = STAGES.index("in_provision")
    rows.append({"key": "monitor", "title": "Monitor attendance in the provision",
                 "state": "done" if stage == "closed" and facts.get("start_date")
                 else "in_progress" if reached >= in_provision else "cannot_start", "hint": ""})
    return rows


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


def allowed_moves(from_stage: str, facts: Mapping[str, Any] | None = None) -> list[str]:
    """The stages an officer may move the case to (with the facts: those whose evidence is there)."""
    if facts is None:
        return [s for s in STAGES if move_problem(from_stage, s) is None and s not in SERVICE_ONLY]
    return [s for s in STAGES if refusal(from_stage, s, facts) is None]
