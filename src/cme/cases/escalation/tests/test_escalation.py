"""A missing child known to children's social care, or any child at risk of significant harm, is
escalated at once: an urgent task, an e-mail to social care and the police, shown on the case.
Nothing about a restricted flag leaks, to officers who may not see it or in the e-mail."""

import pytest
from django.core import mail
from django.test import override_settings

from cme.accounts.models import Role
from cme.audit.models import AuditEvent
from cme.cases.escalation.services import significant_harm_record
from cme.cases.models import Escalation, Task
from cme.intake.services import referral_triage
from cme.people.services import child_flag_add
from cme.testing import factories as f
from cme.testing.tasks import run_queued_tasks

CONTACTS = {"901": {"social_care": ["mash@northmoor.example"], "police": ["cme@northmoor-police.example"]}}


@pytest.fixture(autouse=True)
def _contacts(settings):
    settings.CME_ESCALATION_EMAILS = CONTACTS


@pytest.fixture
def cp_child(la_a):
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley")
    child.flags.create(flag="child_protection", detail="Category neglect; social worker J. Doe")
    return child


def test_referral_triaged_as_missing_for_a_child_with_a_cp_plan_escalates_at_once(
    la_a, officer_a, cp_child, django_capture_on_commit_callbacks
):
    referral = f.make_referral(la_a)
    with django_capture_on_commit_callbacks(execute=True):
        case = referral_triage(actor=officer_a, referral=referral, category="missing", reason="moved_unknown",
                               child=cp_child, responsible_officer=officer_a)
    assert not mail.outbox  # queued, not sent inside the request
    run_queued_tasks()
    [escalation] = Escalation.objects.filter(case=case)
    assert escalation.reason == "social_care_missing" and escalation.trigger == "case_opened"
    assert escalation.sent_at is not None
    assert [r["email"] for r in escalation.recipients] == ["mash@northmoor.example", "cme@northmoor-police.example"]
    task = escalation.task
    assert task.urgent and task.assigned_to == officer_a and task.kind == "escalation"
    [message] = mail.outbox
    assert set(message.to) == {"mash@northmoor.example", "cme@northmoor-police.example"}
    assert message.subject.startswith("Urgent: a child known to children’s social care is missing")
    assert f"/cases/{case.pk}" in message.body
    text = (message.subject + message.body).lower()
    for secret in ("child protection", "neglect", "j. doe", "ruby", "hartley"):
        assert secret not in text, secret
    assert AuditEvent.objects.filter(object_type="case", summary__startswith="Escalated case").exists()


def test_it_is_escalated_once_per_episode(la_a, officer_a, cp_child):
    referral = f.make_referral(la_a)
    case = referral_triage(actor=officer_a, referral=referral, category="missing", reason="moved_unknown",
                           child=cp_child)
    child_flag_add(actor=officer_a, child=cp_child, flag="looked_after")
    second = f.make_referral(la_a)
    referral_triage(actor=officer_a, referral=second, category="missing", reason="moved_unknown", child=cp_child)
    assert Escalation.objects.filter(case=case).count() == 1


def test_a_cp_flag_added_to_a_child_with_an_open_missing_case_escalates(la_a, officer_a, case_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        child_flag_add(actor=officer_a, child=case_a.child, flag="child_protection", detail="Secret detail")
    run_queued_tasks()
    escalation = Escalation.objects.get(case=case_a)
    assert escalation.trigger == "flag_added" and len(mail.outbox) == 1
    assert "Children Act 2004 s11" in escalation.lawful_basis
    assert "secret detail" not in mail.outbox[0].body.lower()


def test_a_child_at_risk_but_not_missing_is_not_escalated(la_a, officer_a, cp_child):
    case = f.make_case(cp_child, category="at_risk")
    child_flag_add(actor=officer_a, child=cp_child, flag="child_in_need")
    assert not Escalation.objects.filter(case=case).exists()


def test_a_flag_that_is_not_safeguarding_does_not_escalate(officer_a, case_a):
    child_flag_add(actor=officer_a, child=case_a.child, flag="young_carer")
    assert not Escalation.objects.exists() and not Task.objects.exists()


def _agency(la, name, service, email):
    org = f.make_partner(la, name)
    org.service, org.contact_email = service, email
    org.save()
    return org


@override_settings(CME_ESCALATION_EMAILS={})
def test_partner_agencies_of_the_police_and_social_care_services_are_told(
    la_a, officer_a, case_a, django_capture_on_commit_callbacks
):
    _agency(la_a, "Northmoor District Police", "police", "schools@police.example")
    _agency(la_a, "Northmoor MASH front door", "social_care", "mash@care.example")  # not named social care
    _agency(la_a, "Northmoor Housing", "housing", "housing@northmoor.example")  # not told
    with django_capture_on_commit_callbacks(execute=True):
        child_flag_add(actor=officer_a, child=case_a.child, flag="looked_after")
    run_queued_tasks()
    assert sorted(mail.outbox[0].to) == ["mash@care.example", "schools@police.example"]


@override_settings(CME_ESCALATION_EMAILS={})
def test_an_agency_is_chosen_by_its_service_not_its_name(la_a, officer_a, case_a):
    """Issue 9 point 4: recipients were chosen by a name containing "police"."""
    _agency(la_a, "Police and Community Credit Union", "other", "loans@credit.example")
    _agency(la_a, "Children's Social Care Training Ltd", "", "courses@training.example")
    child_flag_add(actor=officer_a, child=case_a.child, flag="looked_after")
    escalation = Escalation.objects.get(case=case_a)
    assert escalation.recipients == []
    assert "telephone social care and police" in escalation.task.title


@override_settings(CME_ESCALATION_EMAILS={})
def test_with_no_contacts_the_task_says_to_telephone(officer_a, case_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        child_flag_add(actor=officer_a, child=case_a.child, flag="child_in_need")
    escalation = Escalation.objects.get(case=case_a)
    assert escalation.recipients == [] and escalation.sent_at is None and not mail.outbox
    assert "telephone social care and police" in escalation.task.title


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_record_a_risk_of_significant_harm_and_the_case_shows_the_escalation(
    persona, client_for, case_a, django_capture_on_commit_callbacks
):
    client = client_for(persona)
    assert client.get(f"/cases/{case_a.pk}/risk-of-harm").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cases/{case_a.pk}/risk-of-harm", {"detail": "Older sibling reports threats"})
    assert response.status_code == 302
    run_queued_tasks()
    escalation = Escalation.objects.get(case=case_a)
    assert escalation.reason == "significant_harm" and escalation.raised_by == persona
    assert "threats" not in mail.outbox[0].body
    page = client.get(f"/cases/{case_a.pk}").text
    assert "Escalated: risk of significant harm recorded" in page
    assert "cme@northmoor-police.example" in page and "Older sibling reports threats" in page
    assert "Urgent" in page


def test_recording_harm_without_saying_what_it_is_is_refused_and_changes_nothing(officer_a, client_for, case_a):
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/risk-of-harm", {"detail": "  "})
    assert response.status_code == 200
    assert "Enter what the risk of significant harm is" in response.text
    assert not Escalation.objects.exists() and not Task.objects.exists()


def test_officer_of_another_la_cannot_record_harm_on_la_a_case(officer_b, client_for, case_a):
    client = client_for(officer_b)
    assert client.get(f"/cases/{case_a.pk}/risk-of-harm").status_code == 404
    assert client.post(f"/cases/{case_a.pk}/risk-of-harm", {"detail": "x"}).status_code == 404
    assert not Escalation.objects.exists()


def test_roles_that_may_not_see_restricted_detail_see_only_that_the_case_was_escalated(
    la_a, officer_a, client_for, case_a
):
    child_flag_add(actor=officer_a, child=case_a.child, flag="child_protection", detail="Category neglect")
    significant_harm_record(actor=officer_a, case=case_a, detail="Threats from an adult in the home")
    admissions = f.make_user(la_a, Role.ADMISSIONS, username="adam")
    page = client_for(admissions).get(f"/cases/{case_a.pk}").text
    assert "Escalated: a child known to children’s social care is missing" in page
    assert "Restricted: not shown to you" in page
    for secret in ("Child protection plan", "Category neglect", "Threats from an adult", "child_protection"):
        assert secret not in page, secret
    # The officer, who may see restricted detail, sees what was recorded.
    assert "Threats from an adult in the home" in client_for(officer_a).get(f"/cases/{case_a.pk}").text


def test_an_escalation_the_mail_server_refused_says_so_and_is_tried_again(
    officer_a, client_for, case_a, monkeypatch, django_capture_on_commit_callbacks
):
    def refusing_server(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    with django_capture_on_commit_callbacks(execute=True):
        child_flag_add(actor=officer_a, child=case_a.child, flag="looked_after")
    monkeypatch.setattr("cme.core.mail.EmailMessage.send", refusing_server)
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_tasks()
    escalation = Escalation.objects.get(case=case_a)
    assert escalation.sent_at is None and "mail server down" in escalation.send_error
    assert escalation.email.state == "retrying"
    assert "Not delivered: ConnectionRefusedError: mail server down" in client_for(officer_a).get(f"/cases/{case_a.pk}").text
