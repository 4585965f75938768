"""Attendance screening as a way contacts come in: findings become at-risk referrals.

`screening_run` reads an authority's registers (cme.attendance.selectors), runs the pure engine
(cme.attendance.screening) with the stricter thresholds for vulnerable children, and keeps one
ScreeningFinding per child, provider and rule while the pattern lasts:

- a pattern found for the first time opens a finding (one per child, provider and rule, as the
  findings page lists them) and, for the child, one at-risk referral for officer review holding
  every rule that fired; a finding while the child's referral is still waiting or open joins it;
- a child below or above compulsory school age on the as-of date is not screened (a nursery
  child's or a sixth former's absence is not a CME concern); one whose birth date is unknown is;
- a pattern found again moves the open finding's last_found_on on, and opens nothing;
- an open finding no longer found when the child's register was screened is cleared;
- registers_missing is about a provider, not a child: its findings open no referral and are
  listed on the missing-registers page.

Running twice for the same as-of date changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cme.attendance import screening
from cme.attendance.selectors import provider_latest_marked, registers_for_screening
from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.intake.models import (
    Channel,
    ReferralStatus,
    ScreeningFinding,
    ScreeningRule,
    ScreeningRun,
)
from cme.intake.services import referral_create
from cme.people.ages import is_compulsory_school_age
from cme.people.identifiers import upn_problem
from cme.people.models import SAFEGUARDING_FLAGS, Child, Vulnerability, VulnerabilityFlag
from cme.providers.models import Enrolment, Organisation, OrgKind

# Children screened with the stricter thresholds: looked after, child protection plan, child in
# need (the safeguarding flags) and children with an EHCP.
STRICTER_FLAGS = frozenset(SAFEGUARDING_FLAGS | {Vulnerability.SEN_EHCP})


def rules_for_la(la: Organisation) -> screening.Rules:
    """The LA's rules file: settings.CME_SCREENING_RULES, either one path for every authority or
    a mapping of LA code to path; the shipped rules when neither names one."""
    configured = getattr(settings, "CME_SCREENING_RULES", None)
    if isinstance(configured, dict):
        configured = configured.get(la.la_code)
    return screening.load_rules(Path(configured) if configured else screening.DEFAULT_RULES)


def vulnerable_children(*, la_id: int, as_of: dt.date) -> set[int]:
    """Children of the LA with a stricter-threshold flag current on the as-of date."""
    return set(
        VulnerabilityFlag.objects.filter(child__la_id=la_id, flag__in=STRICTER_FLAGS)
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=as_of))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=as_of))
        .values_list("child_id", flat=True)
    )


@dataclass
class _Stay:
    enrolment_id: int
    child_id: int
    provider_id: int
    year_group: str


def _concerns(*, findings: list, rules: screening.Rules, as_of: dt.date,
              providers: dict[int, Organisation]) -> str:
    """The referral's words: every rule that fired for the child, each with its evidence."""
    lines = [f"At risk of missing education, found by attendance screening of the registers as of "
             f"{as_of:%-d %B %Y}:"]
    for f in findings:
        label = ScreeningRule(f.rule).label
        lines.append(f"- {label} at {providers[f.provider_id].name}: {f.detail}. "
                     f"{rules.descriptions.get(f.rule, '')}".rstrip())
    if any(f.stricter for f in findings):
        lines.append("Screened with the stricter thresholds for vulnerable children.")
    return "\n\n".join(lines)


def _open_referral(*, child, findings: list, la: Organisation, as_of: dt.date,
                   rules: screening.Rules, providers: dict[int, Organisation]):
    provider = providers[findings[0].provider_id]
    fields = {
        "child_forename": child.legal_forename,
        "child_surname": child.legal_surname,
        "child_date_of_birth": child.date_of_birth,
        "child_sex": child.sex,
        "last_known_school": provider.name,
        "referrer_name": "Attendance screening",
        "referrer_organisation": la.name,
        "concerns": _concerns(findings=findings, rules=rules, as_of=as_of, providers=providers),
    }
    if child.upn and not upn_problem(child.upn):
        fields["child_upn"] = child.upn
    return referral_create(la=la, channel=Channel.SCREENING, **fields)


@transaction.atomic
def screening_run(*, la_id: int, as_of: dt.date, actor=None,
                  rules: screening.Rules | None = None) -> ScreeningRun:
    """Screen the authority's registers as of a date; open, refresh and clear findings."""
    la = Organisation.objects.get(pk=la_id, kind=OrgKind.LA)
    rules = rules or rules_for_la(la)
    run = ScreeningRun.objects.create(la=la, as_of=as_of, started_at=timezone.now(),
                                      requested_by=actor if getattr(actor, "pk", None) else None)

    regs = registers_for_screening(la_id=la_id, as_of=as_of)
    enrolment_ids = regs.row.tolist() if regs.row is not None else []
    stays = {
        e["pk"]: _Stay(e["pk"], e["child_id"], e["provider_id"], e["year_group"])
        # All the authority's stays in one query, not pk__in (SQLite limits a query's parameters).
        for e in Enrolment.objects.filter(provider__la_id=la_id, child__la_id=la_id)
        .values("pk", "child_id", "provider_id", "year_group", "child__date_of_birth")
        # Children of compulsory school age only (an unknown birth date is kept: see above).
        if is_compulsory_school_age(e["child__date_of_birth"], as_of) is not False
    }
    stricter_ids = vulnerable_children(la_id=la_id, as_of=as_of)
    vulnerable = np.array([stays[e].child_id in stricter_ids if e in stays else False
                           for e in enrolment_ids], bool)
    # The engine names a pupil by UPN; name each register by its enrolment instead, so that a
    # finding maps back to exactly one stay (a pupil with no UPN is screened too).
    regs = screening.Registers(np.array([str(e) for e in enrolment_ids]), regs.laestab,
                               regs.origin, regs.marks, regs.row)
    result = screening.screen_pupils(regs, as_of, rules, vulnerable)
    latest_marked = provider_latest_marked(la_id=la_id)
    provider_found = screening.provider_findings(latest_marked, as_of, rules)

    providers_by_laestab = {
        o.laestab: o for o in Organisation.objects.filter(la_id=la_id).exclude(estab="")
    }
    providers = {o.pk: o for o in providers_by_laestab.values()}
    open_findings = {
        (f.child_id, f.provider_id, f.rule): f
        for f in ScreeningFinding.objects.filter(la_id=la_id, cleared_on__isnull=True)
        .select_related("child", "provider")
    }
    # One referral per child: a finding of another rule or at a second provider, or a pattern
    # that comes back, joins the referral already made while it is still waiting or open.
    referral_of = {
        f.child_id: f.referral
        for f in ScreeningFinding.objects.filter(la_id=la_id, child__isnull=False)
        .filter(Q(cleared_on__isnull=True) | Q(referral__status=ReferralStatus.AWAITING_TRIAGE))
        .exclude(referral=None).select_related("referral").order_by("id")
    }

    found: set[tuple] = set()
    opened: list[ScreeningFinding] = []
    refreshed = referrals_opened = 0
    to_refer: dict[int, list[ScreeningFinding]] = {}

    def keep(key, *, enrolment_id, year_group, rule, detail, evidence, stricter):
        nonlocal refreshed, referrals_opened
        found.add(key)
        child_id, provider_id, _ = key
        existing = open_findings.get(key)
        if existing is not None:
            # Never move a finding back in time (a run for an earlier date says nothing new).
            if as_of >= existing.last_found_on:
                update = {"last_found_on": as_of, "detail": detail, "evidence": evidence or {},
                          "stricter": stricter, "year_group": year_group,
                          "enrolment_id": enrolment_id or existing.enrolment_id}
                changed = [k for k, v in update.items() if getattr(existing, k) != v]
                for k in changed:
                    setattr(existing, k, update[k])
                if changed:
                    existing.save(update_fields=changed)
            refreshed += 1
            return
        finding = ScreeningFinding(
            la=la, child_id=child_id, provider_id=provider_id, enrolment_id=enrolment_id,
            rule=rule, detail=detail, evidence=evidence or {}, stricter=stricter,
            year_group=year_group, first_found_on=as_of, last_found_on=as_of,
        )
        if child_id is not None and rule in rules.opens_referral:
            finding.referral = referral_of.get(child_id)
            if finding.referral is None:
                to_refer.setdefault(child_id, []).append(finding)
        finding.save()
        opened.append(finding)

    for f in result.findings:
        stay = stays.get(int(f.upn))
        if stay is None:  # an enrolment of a child of another authority: not ours to refer
            continue
        keep((stay.child_id, stay.provider_id, f.rule), enrolment_id=stay.enrolment_id,
             year_group=stay.year_group, rule=f.rule, detail=f.detail, evidence=f.evidence,
             stricter=stay.child_id in stricter_ids)
    for f in provider_found:
        provider = providers_by_laestab.get(f.laestab)
        if provider is None:
            continue
        keep((None, provider.pk, f.rule), enrolment_id=None, year_group="", rule=f.rule,
             detail=f.detail, evidence=f.evidence, stricter=False)

    # One referral for each child with new findings and none waiting, holding every rule.
    for referred_id, child_findings in to_refer.items():
        referral = _open_referral(child=Child.objects.get(pk=referred_id), findings=child_findings,
                                  la=la, as_of=as_of, rules=rules, providers=providers)
        referrals_opened += 1
        ScreeningFinding.objects.filter(pk__in=[sf.pk for sf in child_findings]).update(referral=referral)
        for sf in child_findings:
            sf.referral = referral

    # Clear what was screened and no longer fires. A child whose register was not screened this
    # time (left, or no register this year) keeps its finding open: nothing shows it cleared.
    screened = {(stays[e].child_id, stays[e].provider_id) for e in enrolment_ids if e in stays}
    screened_providers = {providers_by_laestab[p].pk for p in latest_marked
                          if p in providers_by_laestab}
    cleared: list[ScreeningFinding] = []
    for key, finding in open_findings.items():
        if key in found or as_of < finding.last_found_on:
            continue
        child_id, provider_id, _ = key
        seen = (child_id, provider_id) in screened if child_id else provider_id in screened_providers
        if seen:
            finding.cleared_on = as_of
            finding.save(update_fields=["cleared_on"])
            cleared.append(finding)

    run.finished_at = timezone.now()
    run.pupils_screened = len(regs)
    run.findings_opened = len(opened)
    run.findings_still_open = refreshed
    run.findings_cleared = len(cleared)
    run.referrals_opened = referrals_opened
    run.save()
    audit_record(
        actor=actor if getattr(actor, "pk", None) else None,
        action=Action.CREATE,
        object_type="screening",
        object_id=run.pk,
        la_id=la_id,
        summary=(f"Screened {len(regs):,} registers as of {as_of.isoformat()}: "
                 f"{len(opened)} new findings, {referrals_opened} at-risk referrals, "
                 f"{len(cleared)} cleared"),
        detail={
            "as_of": as_of.isoformat(),
            "opened": [f.pk for f in opened],
            "cleared": [f.pk for f in cleared],
            "referrals": sorted({f.referral.reference for f in opened if f.referral_id}),
        },
        child_ids=[f.child_id for f in opened + cleared if f.child_id],
    )
    return run


def last_finished_run(*, la_id: int) -> ScreeningRun | None:
    return (ScreeningRun.objects.filter(la_id=la_id, finished_at__isnull=False)
            .order_by("-finished_at").first())
