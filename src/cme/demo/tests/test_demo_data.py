"""The demo loads two believable authorities with every stage, role and a valid UPN for all."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cme.accounts.models import Role, User
from cme.audit.models import AuditEvent
from cme.cases.models import Case, Stage, StageChange
from cme.demo.builder import DEMO_PASSWORD, sign_ins
from cme.intake.models import Channel, Referral, ReferralStatus
from cme.people.identifiers import upn_problem
from cme.people.models import Child
from cme.providers.models import Enrolment, Organisation, OrgKind, Phase


@pytest.fixture
def demo(db):
    call_command("demo-data", scale=200, cases=12, verbosity=0)


def test_demo_has_two_neighbouring_authorities_with_schools_of_every_phase(demo):
    las = Organisation.objects.filter(kind=OrgKind.LA).order_by("la_code")
    assert [(la.name, la.la_code) for la in las] == [
        ("Northmoor Council", "901"),
        ("Eastdale Council", "907"),
    ]
    for la in las:
        members = Organisation.objects.filter(la=la)
        schools = members.filter(kind=OrgKind.SCHOOL)
        assert 20 <= schools.count() <= 30
        assert set(schools.values_list("phase", flat=True)) >= {
            Phase.NURSERY, Phase.PRIMARY, Phase.SECONDARY, Phase.ALL_THROUGH,
            Phase.SPECIAL, Phase.SIXTEEN_PLUS,
        }
        assert members.filter(kind=OrgKind.PRU).count() == 1
        assert members.filter(kind=OrgKind.ALTERNATIVE_PROVISION).count() == 2
        assert members.filter(kind=OrgKind.HOME_EDUCATION).count() == 1
        assert members.filter(kind=OrgKind.PARTNER_AGENCY).count() >= 4
        for school in schools:
            assert len(school.estab) == 4 and len(school.urn) == 6
            assert school.statutory_low_age < school.statutory_high_age


def test_every_stage_has_cases_in_each_authority(demo):
    for la in Organisation.objects.filter(kind=OrgKind.LA):
        stages = set(Case.objects.filter(la=la).values_list("stage", flat=True))
        assert stages == set(Stage.values), la


def test_cases_came_through_the_services_with_history_and_audit(demo):
    case = Case.objects.filter(stage=Stage.CLOSED).first()
    assert case.outcome and case.closed_on
    assert StageChange.objects.filter(case=case).count() >= 2
    assert AuditEvent.objects.filter(object_type="case", object_id=str(case.pk)).exists()
    assert Referral.objects.filter(status=ReferralStatus.AWAITING_TRIAGE).exists()
    # Every way in; screening's referrals come from the screening run the demo ends with.
    channels = set(Referral.objects.values_list("channel", flat=True))
    assert channels == set(Channel.values)
    # Back-dating the timeline must not touch the hash-chained audit trail.
    from cme.audit.selectors import audit_verify

    count, problems = audit_verify()
    assert count > 0 and problems == []


def test_every_role_has_a_demo_sign_in_in_each_authority(demo):
    for la in Organisation.objects.filter(kind=OrgKind.LA):
        roles = set(
            User.objects.filter(organisation__in=[la, *Organisation.objects.filter(la=la)])
            .values_list("role_grants__role", flat=True)
        )
        assert roles >= set(Role.values), la
    usernames = [username for *_, username in sign_ins()]
    demo_users = User.objects.filter(username__in=usernames)
    assert demo_users.count() == len(usernames) == 16
    # One shared password: check it once (hashing is slow on purpose), then that all share it.
    assert demo_users[0].check_password(DEMO_PASSWORD)
    assert len(set(demo_users.values_list("password", flat=True))) == 1


def test_every_upn_is_valid_and_pupils_are_on_rolls(demo):
    upns = Child.objects.exclude(upn="").values_list("upn", flat=True)
    assert upns and all(upn_problem(upn) is None for upn in upns)
    assert any(upn[-1].isalpha() for upn in upns)  # some temporary UPNs
    assert Enrolment.objects.filter(leaving_date__isnull=True).values("child").distinct().count() >= 300


def test_loading_twice_refuses_unless_asked_to_skip(demo):
    with pytest.raises(CommandError, match="already loaded"):
        call_command("demo-data", scale=200, cases=12, verbosity=0)
    call_command("demo-data", if_empty=True, verbosity=0)
    assert Organisation.objects.filter(kind=OrgKind.LA).count() == 2


def test_demo_has_a_term_of_movements_some_reconciled_some_not(demo):
    from cme.tracking.models import DeletionReturn, Leaver, NewEntry

    for la in Organisation.objects.filter(kind=OrgKind.LA):
        assert DeletionReturn.objects.filter(la=la).count() >= 10
        statuses = set(Leaver.objects.filter(la=la).values_list("status", flat=True))
        assert {"on_roll", "home_education", "transferred_out", "unreconciled"} <= statuses, la
        assert NewEntry.objects.filter(la=la, match_state="to_confirm").exists(), la
        assert Leaver.objects.filter(la=la, match_state="to_confirm").exists(), la


def test_demo_has_a_case_handed_off_each_way_between_its_authorities(demo, settings):
    import json
    import os
    from pathlib import Path

    from cme.handoffs.models import HandoffStatus, IncomingHandoff, OutgoingHandoff

    waiting = OutgoingHandoff.objects.get(la__la_code="901")
    assert waiting.status == HandoffStatus.DELIVERED and waiting.to_la_code == "907"
    assert IncomingHandoff.objects.get(la__la_code="907", remote_uid=waiting.uid).status == HandoffStatus.DELIVERED
    accepted = OutgoingHandoff.objects.get(la__la_code="907")
    assert accepted.status == HandoffStatus.ACCEPTED and accepted.answer_case_reference
    config = json.loads(Path(settings.CME_HANDOFF_CONFIG).read_text())
    assert set(config["keys"]) == set(config["peers"]) == {"901", "907"}
    assert os.stat(settings.CME_HANDOFF_CONFIG).st_mode & 0o077 == 0  # private keys: owner only
