import pytest
from django.core.exceptions import ValidationError

from cme.cases.casework.services import case_close, case_reopen
from cme.cases.models import Stage, StageChange
from cme.cases.register.services import case_stage_advance


def _found(case):
    case.whereabouts = "found"  # as recording where the child was found does (casework)
    case.save()
    return case


def test_case_moves_forward_and_records_who_and_when(case_a, officer_a):
    case = case_stage_advance(actor=officer_a, case=_found(case_a), to_stage=Stage.LOCATED)
    assert case.stage == Stage.LOCATED
    assert case.located_on is not None
    change = StageChange.objects.get(case=case, to_stage=Stage.LOCATED)
    assert change.changed_by == officer_a and change.from_stage == Stage.LOGGED


def test_case_cannot_move_back_except_to_locating(case_a, officer_a, manager_a):
    case_stage_advance(actor=manager_a, case=case_a, to_stage=Stage.NEEDS_DETERMINED,
                       override_reason="Assessed by the virtual school")
    with pytest.raises(ValidationError):
        case_stage_advance(actor=officer_a, case=case_a, to_stage=Stage.LOGGED)
    case = case_stage_advance(actor=officer_a, case=case_a, to_stage=Stage.LOCATING)
    assert case.stage == Stage.LOCATING


def test_closing_needs_an_outcome_and_changes_nothing_without_one(case_a, officer_a):
    with pytest.raises(ValidationError) as e:
        case_close(actor=officer_a, case=case_a, outcome="")
    assert "outcome" in e.value.message_dict
    case_a.refresh_from_db()
    assert case_a.stage == Stage.LOGGED


def test_stage_move_cannot_close_a_case(case_a, officer_a):
    with pytest.raises(ValidationError):
        case_stage_advance(actor=officer_a, case=case_a, to_stage=Stage.CLOSED)


def test_closed_case_reopens_with_a_reason(case_a, officer_a):
    case_close(actor=officer_a, case=case_a, outcome="back_in_school")
    case = case_reopen(actor=officer_a, case=case_a, reason="Stopped attending again")
    assert case.stage == Stage.LOGGED and case.outcome == ""


def test_assigning_from_a_stale_copy_keeps_the_stage_moved_since(case_a, officer_a, manager_a):
    from cme.cases.register.services import case_assign

    case_stage_advance(actor=officer_a, case=case_a, to_stage=Stage.LOCATING)
    case_assign(actor=officer_a, case=case_a, officer=manager_a)  # case_a still says "logged"
    case_a.refresh_from_db()
    assert case_a.stage == Stage.LOCATING and case_a.responsible_officer == manager_a


def test_timeline_shows_a_stage_move_once_not_again_as_a_field_change(case_a, officer_a):
    from cme.cases.case_page import case_timeline
    from cme.cases.register.services import case_assign

    case_a._history_user = officer_a
    case_a.save()  # the first history record, as a case opened by a service has
    case_stage_advance(actor=officer_a, case=_found(case_a), to_stage=Stage.LOCATED, note="Found at gran's")
    case_assign(actor=officer_a, case=case_a, officer=None)
    kinds = [item["kind"] for item in case_timeline(case=case_a)]
    assert kinds.count("stage") == 1
    assert kinds.count("change") == 1  # the reassignment, not the located date
