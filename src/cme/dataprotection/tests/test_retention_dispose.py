"""Disposal at the end of the retention period (issue 15 point 5): a dry run changes nothing;
--apply deletes everything held on a child past its retention (history copies included),
anonymises the audit events about the child, records the disposal in the chain, and `cme audit
verify` still passes. Children still within their period, and the records of other children,
stay. Blanking or editing an event behind the application's back is still caught."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cme.attendance.models import RegisterMarkChange, RegisterYear
from cme.audit import chain
from cme.audit.models import Action, AuditEvent
from cme.audit.selectors import audit_verify
from cme.audit.services import audit_record
from cme.cases.models import Case, CaseNote
from cme.cases.register.services import case_note_add
from cme.core.models import Email, EmailState
from cme.dataprotection.selectors import retention_schedule
from cme.dataprotection.services import retention_dispose
from cme.intake.models import Referral, ReferralStatus
from cme.people.models import Address, Child, ChildName
from cme.providers.models import Enrolment
from cme.testing import factories as f
from cme.tracking.models import Leaver

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 12, 5)
LONG_AGO = dt.datetime(2015, 6, 1, 12, tzinfo=dt.UTC)  # as timezone.now() gives it


def _age(child, case=None):
    """Make the child's record look as it would after years untouched (auto_now fields)."""
    Child.objects.filter(pk=child.pk).update(updated_at=LONG_AGO)
    if case is not None:
        Case.objects.filter(pk=case.pk).update(updated_at=LONG_AGO)


@pytest.fixture
def past(la_a, officer_a, school_a):
    """Born 1996 (25 in 2021), last case closed 2015, left school 2012: past both limits."""
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley", date_of_birth=dt.date(1996, 2, 3))
    ChildName.objects.create(child=child, kind="former", forename="Ruby", surname="Stone")
    Address.objects.create(child=child, line1="4 Refuge Road", postcode="NM1 1AA", is_refuge=True)
    enrolment = f.enrol(child, school_a, entry=dt.date(2007, 9, 5), leaving_date=dt.date(2012, 7, 20))
    register = RegisterYear.objects.create(enrolment=enrolment, provider=school_a, academic_year=2011,
                                           start_date=dt.date(2011, 9, 1), marks=b"", last_marked=dt.date(2012, 7, 20))
    RegisterMarkChange.objects.create(register=register, date=dt.date(2012, 7, 20), session="am", old_code="/", new_code="N")
    leaver = Leaver.objects.create(la=la_a, enrolment=enrolment, child=child, provider=school_a,
                                   leaving_date=dt.date(2012, 7, 20), checked_on=dt.date(2012, 9, 1))
    Leaver.objects.filter(pk=leaver.pk).update(updated_at=LONG_AGO)
    case = f.make_case(child, responsible_officer=officer_a, referred_on=dt.date(2014, 1, 6))
    f.make_referral(la_a, case=case, received_at=LONG_AGO, status=ReferralStatus.CASE_OPENED)
    case_note_add(actor=officer_a, case=case, text="Spoke to the aunt about Ruby")
    case.stage, case.closed_on = "closed", dt.date(2015, 6, 1)
    case.save()
    audit_record(actor=officer_a, action=Action.VIEW, object_type="child", object_id=child.pk, child_id=child.pk,
                 la_id=la_a.pk, summary="Viewed Ruby Hartley", detail={"name": "Ruby Hartley"})
    audit_record(actor=officer_a, action=Action.SEARCH, object_type="child", la_id=la_a.pk,
                 summary="Searched for a child: “Ruby Hartley”", child_ids=[child.pk])
    _age(child, case)
    return child


@pytest.fixture
def kept(la_a, officer_a, school_a):
    """Three children who stay: too young; 25 but a case closed in 2023; 30 with a case still open."""
    young = f.make_child(la_a, legal_surname="Young", date_of_birth=dt.date(2010, 1, 1))
    recent = f.make_child(la_a, legal_surname="Recent", date_of_birth=dt.date(1996, 1, 1))
    f.make_case(recent, stage="closed", closed_on=dt.date(2023, 3, 1))
    open_case = f.make_child(la_a, legal_surname="Open", date_of_birth=dt.date(1996, 1, 1))
    f.make_case(open_case)
    for c in (young, recent, open_case):
        _age(c)
    return [young, recent, open_case]


def _dispose(apply=True):
    out = io.StringIO()
    args = ["retention-dispose", "--as-of", AS_OF.isoformat()] + (["--apply"] if apply else [])
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_dry_run_says_what_is_past_and_changes_nothing(past, kept):
    events = AuditEvent.objects.count()
    text = _dispose(apply=False)
    assert "Dry run (nothing changed)" in text and "child: 1 " in text and "--apply" in text
    assert Child.objects.count() == 4 and AuditEvent.objects.count() == events
    assert AuditEvent.objects.filter(summary="Viewed Ruby Hartley").exists()


def test_applying_deletes_everything_held_on_the_child_and_the_chain_still_verifies(past, kept):
    seal = AuditEvent.objects.order_by("-id").first().hash
    about = list(AuditEvent.objects.filter(child_id=past.pk).values_list("pk", flat=True))
    events_before = AuditEvent.objects.count()
    text = _dispose()
    assert "child: 1 " in text and "deleted" in text

    assert not Child.objects.filter(pk=past.pk).exists()
    for model, lookup in [(ChildName, "child"), (Address, "child"), (Enrolment, "child"), (Case, "child"),
                          (CaseNote, "case__child"), (Referral, "case__child"), (Leaver, "child"),
                          (RegisterYear, "enrolment__child")]:
        assert not model.objects.filter(**{f"{lookup}_id" if "__" not in lookup else lookup: past.pk}).exists()
    assert RegisterMarkChange.objects.count() == 0 and Referral.objects.count() == 0
    # The history copies go too, the one written by the deletion itself included.
    assert not Child.history.filter(id=past.pk).exists()
    assert not Case.history.filter(child_id=past.pk).exists()
    assert Child.objects.count() == 3  # the others stay, with their cases
    assert Case.objects.filter(child__in=kept).count() == 2

    # Nothing of the child is left to read in the audit trail; every event is still there.
    assert AuditEvent.objects.count() == events_before + 1
    assert not AuditEvent.objects.filter(summary__contains="Ruby").exists()
    assert not AuditEvent.objects.filter(detail__icontains="Ruby").exists()
    blanked = AuditEvent.objects.filter(pk__in=about).first()
    assert blanked.summary == chain.REDACTED_SUMMARY and blanked.detail == {} and blanked.salt == ""
    assert blanked.actor_id is not None and blanked.action == "view"  # who, what and when stay
    disposal = AuditEvent.objects.get(action=Action.DISPOSE)
    assert disposal.detail["children"] == [past.pk] and disposal.actor_id is None
    assert set(about) <= set(disposal.detail["anonymised_events"]) and len(disposal.detail["anonymised_events"]) >= 3
    assert disposal.detail["deleted"]["people.Child"] == 1 and "Ruby" not in str(disposal.detail)

    assert audit_verify(expect=seal) == (events_before + 1, [])
    out = io.StringIO()
    call_command("audit", "verify", "--expect", seal, stdout=out)
    assert "intact" in out.getvalue()


def test_a_second_run_finds_nothing_more(past, kept):
    _dispose()
    assert "child: 0 " in _dispose()
    assert audit_verify()[1] == []


def test_editing_an_anonymised_event_or_blanking_one_behind_the_applications_back_is_caught(past, kept, officer_a):
    other = audit_record(actor=officer_a, action=Action.VIEW, object_type="case", object_id=1,
                         summary="Viewed a case of someone else")
    _dispose()
    blanked = AuditEvent.objects.filter(summary=chain.REDACTED_SUMMARY).order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["Viewed someone else", blanked.pk])
    assert [pk for pk, _ in audit_verify()[1]] == [blanked.pk]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = %s WHERE id = %s", [chain.REDACTED_SUMMARY, blanked.pk])
    assert audit_verify()[1] == []

    # Blanked with the right digest, but no disposal records it: reported.
    row = AuditEvent.objects.filter(pk=other.pk).values("salt", "summary", "detail").get()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = %s, detail = %s, salt = '', redacted_digest = %s "
                       "WHERE id = %s", [chain.REDACTED_SUMMARY, "{}", chain.personal_digest(row["salt"], row), other.pk])
    problems = audit_verify()[1]
    assert [pk for pk, _ in problems] == [other.pk] and "no disposal" in problems[0][1]


def test_registers_old_referrals_emails_and_old_audit_content_go_on_their_own_schedules(
        la_a, officer_a, school_a, monkeypatch):
    pupil = f.make_child(la_a, date_of_birth=dt.date(2012, 1, 1))
    enrolment = f.enrol(pupil, school_a, entry=dt.date(2016, 9, 5))
    old = RegisterYear.objects.create(enrolment=enrolment, provider=school_a, academic_year=2016,
                                      start_date=dt.date(2016, 9, 1), marks=b"", last_marked=dt.date(2017, 7, 20))
    recent = RegisterYear.objects.create(enrolment=enrolment, provider=school_a, academic_year=2020,
                                         start_date=dt.date(2020, 9, 1), marks=b"", last_marked=dt.date(2021, 7, 20))
    gone = f.make_referral(la_a, received_at=LONG_AGO, status=ReferralStatus.NOT_CME)
    stays = f.make_referral(la_a, status=ReferralStatus.NOT_CME)
    Email.objects.create(purpose="escalation", to=["a@example.org"], subject="Ruby", body="About Ruby",
                         state=EmailState.SENT, sent_at=LONG_AGO)
    monkeypatch.setattr("cme.audit.services.timezone.now", lambda: LONG_AGO)
    audit_record(actor=officer_a, action=Action.SEARCH, object_type="child", summary="Searched for “Jo Bloggs”")
    monkeypatch.undo()
    audit_record(actor=officer_a, action=Action.SEARCH, object_type="child", summary="Searched for “Al Recent”")

    outcomes = {o.record_type: o for o in retention_dispose(rules=retention_schedule(), as_of=AS_OF, apply=True)}
    assert outcomes["register_year"].found == 1 and outcomes["referral_without_case"].found == 1
    assert list(RegisterYear.objects.values_list("pk", flat=True)) == [recent.pk] and old.pk != recent.pk
    assert list(Referral.objects.values_list("pk", flat=True)) == [stays.pk] and gone.pk != stays.pk
    assert not Referral.history.filter(id=gone.pk).exists()
    assert Email.objects.count() == 0 and Child.objects.filter(pk=pupil.pk).exists()
    assert not AuditEvent.objects.filter(summary__contains="Jo Bloggs").exists()
    assert AuditEvent.objects.filter(summary__contains="Al Recent").exists()
    assert outcomes["audit_event"].anonymised == 1
    assert audit_verify()[1] == []


def test_a_bad_schedule_disposes_of_nothing(past, tmp_path):
    bad = tmp_path / "schedule.toml"
    bad.write_text("[child]\naction = 'delete'\n", encoding="utf-8")
    with pytest.raises(CommandError, match="keep_years"):
        call_command("retention-dispose", "--apply", "--schedule", str(bad))
    assert Child.objects.filter(pk=past.pk).exists()
