"""The e-mail hand-off to an authority with no CME Tracker (issue 12 point 4): the CTF goes with
it only where the council has said its e-mail is secure enough; by default the e-mail carries no
personal data (issue 9) and no file. Either way a case accepted through a signed hand-off may close
as moved to another LA."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from cme.cases.casework.services import case_close, case_moved_to_other_la
from cme.cases.register.models import Outcome
from cme.handoffs.models import HandoffStatus, OutgoingHandoff
from cme.movements.ctf import parse_ctf
from cme.providers.models import Organisation, OrgKind
from cme.testing.tasks import run_queued_tasks


@pytest.fixture
def eastdale(la_a):
    la_a.la_code = "901"
    la_a.save()
    return Organisation.objects.create(kind=OrgKind.OTHER_LA, la=la_a, la_code="907", name="Eastdale",
                                       contact_name="Eve", contact_email="cme@eastdale.example")


def _send(officer_a, case_a, eastdale, capture):
    with capture(execute=True):
        case_moved_to_other_la(actor=officer_a, case=case_a, on=timezone.localdate(), other_la=eastdale)
    run_queued_tasks()
    [sent] = mail.outbox
    return sent


def test_by_default_the_e_mail_goes_without_the_ctf(officer_a, case_a, eastdale, django_capture_on_commit_callbacks):
    sent = _send(officer_a, case_a, eastdale, django_capture_on_commit_callbacks)
    assert sent.attachments == []
    assert case_a.child.legal_surname not in sent.body


def test_where_the_council_allows_it_the_ctf_is_attached_and_reads_back_to_the_child(
        settings, officer_a, case_a, eastdale, django_capture_on_commit_callbacks):
    settings.CME_OTHER_LA_CTF_BY_EMAIL = True
    sent = _send(officer_a, case_a, eastdale, django_capture_on_commit_callbacks)
    [(name, content, mimetype)] = sent.attachments
    assert name.startswith("901LLLL_CTF_907LLLL_") and mimetype == "application/xml"
    [pupil] = parse_ctf(content).pupils
    assert (pupil.surname, pupil.forename) == (case_a.child.legal_surname, case_a.child.legal_forename)
    assert name in sent.body


def test_a_case_accepted_through_a_signed_hand_off_may_close_as_moved(officer_a, case_a, la_a):
    OutgoingHandoff.objects.create(uid="u-1", la=la_a, case=case_a, to_la_code="907", payload={},
                                   sent_by=officer_a, status=HandoffStatus.ACCEPTED,
                                   due_on=dt.date.today())
    closed = case_close(actor=officer_a, case=case_a, outcome=Outcome.MOVED_LA, on=timezone.localdate())
    assert closed.outcome == Outcome.MOVED_LA
