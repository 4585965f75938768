"""Reads for the home page, through the other apps' doors."""

from dataclasses import dataclass

from cme.cases.models import Case, Stage
from cme.cases.register.selectors import my_open_cases, stage_counts
from cme.intake.models import Referral, ReferralStatus
from cme.intake.selectors import referral_queue, referrals_visible_to


@dataclass(frozen=True)
class StageCount:
    stage: str
    label: str
    count: int


@dataclass(frozen=True)
class LaStaffHome:
    my_cases: list[Case]
    waiting_count: int
    oldest_waiting: list[Referral]
    stages: list[StageCount]


def la_staff_home(*, user, oldest: int = 5) -> LaStaffHome:
    """My open cases, the oldest referrals waiting for triage and the count of cases per stage.
    The selectors called here write the audit events for what is shown."""
    counts = stage_counts(user=user)
    return LaStaffHome(
        my_cases=my_open_cases(user=user),
        # Counting reveals no record, so it needs no audit event; the few shown are audited.
        waiting_count=referrals_visible_to(user).filter(status=ReferralStatus.AWAITING_TRIAGE).count(),
        oldest_waiting=referral_queue(user=user, limit=oldest),
        stages=[StageCount(s.value, s.label, counts.get(s.value, 0)) for s in Stage],
    )
