"""Annex B, the guide's self-evaluation checklist (issue 14 point 4): each question with the
authority's own rating for the year and the live evidence the service holds for it, kept year by
year. The questions are in data/annex_b.toml; the evidence is counted here, for the viewer's
authority only.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from cme.accounts import policy
from cme.accounts.models import User
from cme.attendance.calendar import academic_year_start
from cme.audit.models import Action, AuditEvent
from cme.audit.services import audit_record
from cme.cases.escalation.models import Escalation
from cme.cases.models import OPEN_STAGES, Case, Outcome
from cme.cases.register.selectors import cases_visible_to
from cme.handoffs.models import LostPupil
from cme.intake.models import Channel
from cme.intake.selectors import referrals_visible_to
from cme.people.models import VulnerabilityFlag
from cme.places.models import PlacementRequest
from cme.providers.models import Organisation, OrgKind
from cme.reports.models import Rating, SelfEvaluationAnswer
from cme.tracking.models import DeletionReturn, Leaver, LeaverStatus

CHECKLIST = Path(__file__).resolve().parent / "data" / "annex_b.toml"


@dataclass(frozen=True)
class Question:
    key: str
    section: str
    text: str
    evidence: str


@cache
def questions() -> list[Question]:
    data = tomllib.loads(CHECKLIST.read_text(encoding="utf-8"))
    return [Question(q["key"], s["title"], q["text"], q["evidence"]) for s in data["section"] for q in s["questions"]]


@dataclass(frozen=True)
class Evidence:
    text: str
    href: str = ""


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 9, 1), dt.date(year + 1, 8, 31)


def _share(part: int, whole: int) -> str:
    return f"{part:,} of {whole:,} ({100 * part / whole:.0f}%)" if whole else "none yet"


def _reasons(user, start, end) -> Evidence:
    rows = (cases_visible_to(user).filter(referred_on__gte=start, referred_on__lte=end)
            .values_list("reason").annotate(n=Count("id")).order_by("-n"))
    named = ", ".join(f"{Case(reason=r).get_reason_display().lower()} {n:,}" for r, n in rows[:5])
    return Evidence(f"Cases this year by why the child went missing: {named or 'none yet'}.",
                    reverse("reports:dashboard"))


def _monitoring(user, start, end) -> Evidence:
    managers = User.objects.filter(organisation_id=user.la_id, role_grants__role__in=["manager", "senior_leader"],
                                   is_active=True).distinct().count()
    return Evidence(f"{managers} managers and senior leaders may see the dashboard and pace figures; the monthly "
                    "panel pack is made from them.", reverse("reports:dashboard"))


def _partners(user, start, end) -> Evidence:
    partners = Organisation.objects.filter(la_id=user.la_id, kind=OrgKind.PARTNER_AGENCY).count()
    referring = (referrals_visible_to(user).filter(received_at__date__gte=start, received_at__date__lte=end)
                 .exclude(referrer_organisation="").values("referrer_organisation").distinct().count())
    return Evidence(f"{partners} partner agencies hold accounts to refer; referrals this year came from "
                    f"{referring} named organisations.")


def _channels(user, start, end) -> Evidence:
    used = (referrals_visible_to(user).filter(received_at__date__gte=start, received_at__date__lte=end)
            .values_list("channel").annotate(n=Count("id")).order_by("-n"))
    named = ", ".join(f"{Channel(c).label.lower()} {n:,}" for c, n in used)
    return Evidence(f"Referrals this year by route: {named or 'none yet'}.")


def _named_contact(user, start, end) -> Evidence:
    la = Organisation.objects.get(pk=user.la_id)
    contacts = Organisation.objects.filter(la_id=user.la_id, kind=OrgKind.OTHER_LA).exclude(contact_email="").count()
    own = f"{la.contact_name} ({la.contact_email})" if la.contact_email else "no named contact recorded for the council"
    return Evidence(f"Named contact: {own}. The LA contacts directory holds {contacts} other councils' named contacts.")


def _officers(user, start, end) -> Evidence:
    holding = (cases_visible_to(user).filter(stage__in=OPEN_STAGES).exclude(responsible_officer=None)
               .values("responsible_officer").distinct().count())
    unheld = cases_visible_to(user).filter(stage__in=OPEN_STAGES, responsible_officer=None).count()
    return Evidence(f"{holding} officers hold open cases; {unheld} open cases have no responsible officer.",
                    reverse("work:team"))


def _database(user, start, end) -> Evidence:
    open_cases = cases_visible_to(user).filter(stage__in=OPEN_STAGES).count()
    return Evidence(f"The register holds {open_cases:,} open cases of children missing education or at risk.",
                    reverse("cases:list"))


def _dates(user, start, end) -> Evidence:
    cases = cases_visible_to(user).filter(referred_on__gte=start, referred_on__lte=end)
    total = cases.count()
    in_provision = cases.filter(outcome__in=[Outcome.BACK_IN_SCHOOL, Outcome.ALTERNATIVE_PROVISION])
    n = in_provision.count()
    determined = in_provision.exclude(provision_determined_on=None).count()
    accessed = in_provision.exclude(moved_into_provision_on=None).count()
    return Evidence(f"Date notified on every case ({total:,} this year); of the {n:,} closed in provision, date "
                    f"provision determined on {_share(determined, n)}, date accessed on {_share(accessed, n)}.")


def _numbers(user, start, end) -> Evidence:
    missing = cases_visible_to(user).filter(stage__in=OPEN_STAGES, category="missing").count()
    return Evidence(f"{missing:,} children missing education now, on the dashboard with trends over 24 months.",
                    reverse("reports:dashboard"))


def _vulnerable(user, start, end) -> Evidence:
    flagged = (VulnerabilityFlag.objects.filter(child__cases__in=cases_visible_to(user).filter(stage__in=OPEN_STAGES),
                                                ended_on=None).values("child").distinct().count())
    return Evidence(f"{flagged:,} children with open cases are in a recorded vulnerable group; screening applies "
                    "stricter thresholds to them.", reverse("reports:dashboard") + "#figures-group")


def _access(user, start, end) -> Evidence:
    refused = AuditEvent.objects.filter(la_id=user.la_id, action=Action.ACCESS_REFUSED,
                                        at__date__gte=start, at__date__lte=end).count()
    return Evidence("Access by role, decided in one policy; two-factor sign-in for council staff; every view and "
                    f"change audited in a hash chain; {refused} refused attempts this year.", reverse("reports:refused"))


def _escalations(user, start, end) -> Evidence:
    n = Escalation.objects.filter(case__in=cases_visible_to(user), raised_at__date__gte=start,
                                  raised_at__date__lte=end).count()
    return Evidence(f"{n} escalations to social care or the police this year.")


def _placements(user, start, end) -> Evidence:
    n = PlacementRequest.objects.filter(case__in=cases_visible_to(user), requested_on__gte=start,
                                        requested_on__lte=end).count()
    return Evidence(f"{n} requests for a place made to providers this year.")


def _pace(user, start, end) -> Evidence:
    return Evidence("School days from referral to each of the four dates, median and 90th percentile by month.",
                    reverse("reports:pace"))


def _places(user, start, end) -> Evidence:
    providers = Organisation.objects.filter(la_id=user.la_id, kind__in=[OrgKind.SCHOOL, OrgKind.ALTERNATIVE_PROVISION, OrgKind.PRU])
    return Evidence(f"Places held for {providers.count()} schools and alternative providers, from rolls and their "
                    "own updates.", reverse("places:home"))


def _leavers(user, start, end) -> Evidence:
    leavers = Leaver.objects.filter(la_id=user.la_id, leaving_date__gte=start, leaving_date__lte=end)
    return Evidence(f"{leavers.count():,} leavers this year; {leavers.filter(status=LeaverStatus.UNRECONCILED).count():,} "
                    "not found again.", reverse("tracking:leavers"))


def _follow_up(user, start, end) -> Evidence:
    referred = referrals_visible_to(user).filter(channel=Channel.RECONCILIATION, received_at__date__gte=start,
                                                 received_at__date__lte=end).count()
    return Evidence("Every leaver is reconciled nightly against the rolls and the home-education list; "
                    f"{referred} leavers not found after the grace period became referrals this year.")


def _returns(user, start, end) -> Evidence:
    n = DeletionReturn.objects.filter(la_id=user.la_id, deleted_on__gte=start, deleted_on__lte=end).count()
    return Evidence(f"{n:,} deletion returns from schools this year, each checked against its ground.",
                    reverse("tracking:returns"))


def _lost_pupils(user, start, end) -> Evidence:
    lost = LostPupil.objects.filter(la_id=user.la_id)
    written = lost.exclude(ctf_file_name="").count()
    return Evidence(f"{lost.count():,} lost pupils held; lost-pupil CTFs written for {written:,}.",
                    reverse("handoffs:lost"))


EVIDENCE: dict[str, Callable] = {
    "reasons": _reasons, "monitoring": _monitoring, "partners": _partners, "channels": _channels,
    "named_contact": _named_contact, "officers": _officers, "database": _database, "dates": _dates,
    "numbers": _numbers, "vulnerable": _vulnerable, "access": _access, "escalations": _escalations,
    "placements": _placements, "pace": _pace, "places": _places, "leavers": _leavers, "follow_up": _follow_up,
    "returns": _returns, "lost_pupils": _lost_pupils,
}


@dataclass
class Line:
    question: Question
    answer: SelfEvaluationAnswer | None
    previous: SelfEvaluationAnswer | None
    evidence: Evidence | None


def current_year(today: dt.date | None = None) -> int:
    return academic_year_start(today or timezone.localdate()).year


def self_evaluation(*, user, year: int) -> list[Line]:
    policy.require_management_view(user)
    start, end = _year_bounds(year)
    answers = {(a.academic_year, a.question): a for a in SelfEvaluationAnswer.objects.filter(
        la_id=user.la_id, academic_year__in=(year, year - 1)).select_related("answered_by")}
    lines = []
    for q in questions():
        evidence = EVIDENCE[q.evidence](user, start, end) if q.evidence else None
        lines.append(Line(q, answers.get((year, q.key)), answers.get((year - 1, q.key)), evidence))
    return lines


@transaction.atomic
def self_evaluation_answer(*, actor, year: int, question: str, rating: str, note: str = "") -> SelfEvaluationAnswer:
    """A manager records the authority's rating of one question for a year."""
    from django.core.exceptions import ValidationError

    policy.require_manager(actor, "Only a manager can answer the self-evaluation")
    if question not in {q.key for q in questions()}:
        raise ValidationError({"question": "No such question in the checklist"})
    if rating not in Rating.values and rating != "":
        raise ValidationError({"rating": "Choose working towards, achieved or embedded"})
    if not 2000 <= year <= current_year() + 1:
        raise ValidationError({"year": "Choose an academic year from 2000 to next year"})
    answer, _ = SelfEvaluationAnswer.objects.update_or_create(
        la_id=actor.la_id, academic_year=year, question=question,
        defaults={"rating": rating, "note": note.strip()[:5000], "answered_by": actor})
    audit_record(actor=actor, action=Action.CHANGE, object_type="self_evaluation", object_id=answer.pk,
                 la_id=actor.la_id, summary=f"Self-evaluation {year}/{(year + 1) % 100:02d}: {question} rated "
                                            f"{rating or 'not rated'}")
    return answer

