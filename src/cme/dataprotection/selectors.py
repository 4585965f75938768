"""What is past its retention period, record type by record type (cme.dataprotection.schedule).

Reads every room: it sits on the top floor beside reports. Nothing here changes anything; the
disposal (services.retention_dispose) acts on what these return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Max, OuterRef, Q, Subquery

from cme.attendance.models import RegisterYear
from cme.audit import chain
from cme.audit.models import Action, AuditEvent
from cme.cases.models import Case
from cme.cases.register.models import Stage
from cme.core.models import Email, EmailState
from cme.core.records import records_linked
from cme.dataprotection import schedule
from cme.handoffs.models import PeerMessage
from cme.intake.models import Referral, ReferralStatus
from cme.people.models import Child
from cme.providers.models import Enrolment
from cme.tracking.models import DeletionReturn, Leaver


def retention_schedule(path: str | None = None) -> dict[str, schedule.Rule]:
    """The council's schedule (CME_RETENTION_SCHEDULE) or the default one shipped with the service."""
    return schedule.load(path or getattr(settings, "CME_RETENTION_SCHEDULE", None))


def _max(model, date_field: str, child_path: str) -> Subquery:
    return Subquery(model.objects.filter(**{child_path: OuterRef("pk")}).order_by()
                    .values(child_path).annotate(m=Max(date_field)).values("m")[:1])


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def children_past_retention(rule: schedule.Rule, *, as_of: dt.date) -> Iterator[tuple[int, int, dt.date]]:
    """(child id, its authority, its last action) of every child whose record is past the rule:
    its last action `keep_years` ago, the birthday passed, no case open and no current enrolment.

    The last action is the latest of: the child's record changed, a case closed or changed, an
    enrolment ended, a register marked, a referral received, a leaver checked, a deletion return."""
    born_by = schedule.add_years(as_of, -(rule.keep_until_age or 0))
    open_case = Case.objects.filter(child=OuterRef("pk")).exclude(stage=Stage.CLOSED)
    current = Enrolment.objects.filter(child=OuterRef("pk"), leaving_date__isnull=True)
    candidates = (
        Child.objects.filter(Q(date_of_birth__isnull=True) | Q(date_of_birth__lt=born_by))
        .filter(updated_at__date__lt=rule.cutoff(as_of))
        .exclude(models.Exists(open_case)).exclude(models.Exists(current))
        .annotate(
            case_closed=_max(Case, "closed_on", "child"),
            case_changed=_max(Case, "updated_at", "child"),
            left=_max(Enrolment, "leaving_date", "child"),
            marked=_max(RegisterYear, "last_marked", "enrolment__child"),
            referred=_max(Referral, "received_at", "case__child"),
            leaver=_max(Leaver, "updated_at", "child"),
            returned=_max(DeletionReturn, "submitted_at", "child"),
        )
        .order_by("pk")
        .values_list("pk", "la_id", "date_of_birth", "updated_at", "case_closed", "case_changed", "left",
                     "marked", "referred", "leaver", "returned")
    )
    for pk, la_id, born, *dates in candidates.iterator(chunk_size=2000):
        last = max(d for d in map(_day, dates) if d is not None)
        if rule.is_past(as_of=as_of, last_action=last, born=born):
            yield pk, la_id, last


def register_years_past_retention(rule: schedule.Rule, *, as_of: dt.date) -> models.QuerySet[RegisterYear]:
    """Registers whose last mark (or, never marked, whose start) is `keep_years` ago."""
    cutoff = rule.cutoff(as_of)
    return RegisterYear.objects.filter(
        Q(last_marked__lt=cutoff) | Q(last_marked__isnull=True, start_date__lt=cutoff))


def referrals_without_case_past_retention(rule: schedule.Rule, *, as_of: dt.date) -> models.QuerySet[Referral]:
    """Referrals closed as not CME, never part of a case, received `keep_years` ago."""
    return Referral.objects.filter(case__isnull=True, status=ReferralStatus.NOT_CME,
                                   received_at__date__lt=rule.cutoff(as_of))


def audit_events_past_retention(rule: schedule.Rule, *, as_of: dt.date) -> models.QuerySet[AuditEvent]:
    """Events older than `keep_years` still saying something; never a disposal's own record."""
    return (AuditEvent.objects.filter(at__date__lt=rule.cutoff(as_of), redacted_digest="",
                                      hash_version__in=chain.REDACTABLE_VERSIONS)
            .exclude(action=Action.DISPOSE))


def emails_past_retention(rule: schedule.Rule, *, as_of: dt.date) -> models.QuerySet[Email]:
    cutoff = rule.cutoff(as_of)
    return Email.objects.filter(Q(state=EmailState.SENT, sent_at__date__lt=cutoff)
                                | Q(state=EmailState.FAILED, created_at__date__lt=cutoff))


def peer_messages_past_retention(rule: schedule.Rule, *, as_of: dt.date) -> models.QuerySet[PeerMessage]:
    return PeerMessage.objects.filter(delivered=True, created_at__date__lt=rule.cutoff(as_of))


def records_held_on(model: type[models.Model], ids: set[Any]) -> dict[type[models.Model], set[Any]]:
    """Everything to delete with these records (cme.core.records, owning keys only). Audit events
    are not among them: they are anonymised, never deleted (services). History copies are swept
    after the deletion, which writes one more."""
    return records_linked(model, ids, owned_only=True)
