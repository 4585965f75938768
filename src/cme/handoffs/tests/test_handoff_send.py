"""Sending a case to a peer (issue 12, point 4) without the network: what goes, and who may."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cme.handoffs import signing
from cme.handoffs.models import HandoffStatus, PeerMessage
from cme.handoffs.peer_services import handoff_send
from cme.people.models import VulnerabilityFlag
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(la_a, officer_a, school_a, settings):
    la_a.la_code = "901"
    la_a.save()
    settings.CME_HANDOFF = {"keys": {"901": signing.new_key()[0]},
                            "peers": {"907": {"url": "http://127.0.0.1:9", "public_key": signing.new_key()[1]}}}
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley")
    VulnerabilityFlag.objects.create(child=child, flag=VulnerabilityFlag._meta.get_field("flag").choices[0][0])
    return f.make_case(child, responsible_officer=officer_a, last_known_provider=school_a)


def test_send_queues_a_signed_message_with_the_minimum_and_a_ctf(case, officer_a):
    out = handoff_send(actor=officer_a, case=case, to_la_code="907")
    assert out.status == HandoffStatus.QUEUED and out.due_on is not None
    assert set(out.payload) >= {"child", "last_school", "why_missing", "flags", "ctf", "ctf_name"}
    assert out.payload["ctf_name"] == "901LLLL_CTF_907LLLL_001.xml"
    assert out.payload["last_school"]["laestab"] == "9012001"
    assert PeerMessage.objects.filter(handoff=out, delivered=False).count() == 1
    assert "Art. 6(1)(e)" in out.lawful_basis  # the basis in law, kept with what was sent


def test_flags_go_only_when_the_senders_role_sees_restricted_detail(case, officer_a, settings):
    assert handoff_send(actor=officer_a, case=case, to_la_code="907").payload["flags"] != []
    settings.CME_RESTRICTED_ROLES = ("manager",)
    out = handoff_send(actor=officer_a, case=case, to_la_code="907")
    assert out.payload["flags"] == [] and out.payload["flags_withheld"] is True


def test_an_authority_with_no_cme_tracker_is_not_a_peer(case, officer_a):
    with pytest.raises(ValidationError, match="e-mail hand-off"):
        handoff_send(actor=officer_a, case=case, to_la_code="930")


@pytest.mark.parametrize("who", ["officer_b", "school_user_a"])
def test_only_the_authoritys_caseworkers_send_its_cases(case, who, request):
    with pytest.raises((ValidationError, PermissionDenied)):
        handoff_send(actor=request.getfixturevalue(who), case=case, to_la_code="907")


def test_an_unanswered_handoff_escalates_once_when_its_clock_runs_out(case, officer_a):
    from datetime import timedelta

    from django.core.management import call_command

    from cme.cases.register.models import Task, TaskKind

    out = handoff_send(actor=officer_a, case=case, to_la_code="907")
    call_command("handoffs-overdue")
    assert not Task.objects.filter(kind=TaskKind.ESCALATION).exists()
    out.due_on = out.due_on - timedelta(days=30)
    out.save()
    call_command("handoffs-overdue")
    call_command("handoffs-overdue")
    [task] = Task.objects.filter(kind=TaskKind.ESCALATION)
    assert task.urgent and task.assigned_to == officer_a and "907" in task.title
