"""E-mail goes through the task queue: kept with its delivery state, sent by the worker (never
inside the request), tried again when the mail server fails, and marked not delivered in the end.
Only the mail server is replaced, by Django's test outbox or a server that refuses."""

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cme.core.mail import email_delivery_changed, email_queue
from cme.core.models import Email, EmailState
from cme.testing.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


def refusing_server(*args, **kwargs):
    raise ConnectionRefusedError("mail server down")


def _queue(django_capture_on_commit_callbacks) -> Email:
    with django_capture_on_commit_callbacks(execute=True):
        return email_queue(to=["duty@police.example"], subject="Urgent", body="Sign in", purpose="escalation")


def test_an_e_mail_is_kept_and_queued_not_sent(django_capture_on_commit_callbacks):
    email = _queue(django_capture_on_commit_callbacks)
    assert email.state == EmailState.QUEUED and email.attempts == 0
    assert not mail.outbox
    task = DBTaskResult.objects.get()
    assert task.task_path == "cme.core.mail.send_email_task"
    assert task.args_kwargs["kwargs"] == {"email_id": email.pk}


def test_nothing_is_queued_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email_queue(to=["a@example.org"], subject="S", body="B", purpose="digest")
    assert len(callbacks) == 1  # runs only if the transaction commits
    assert not DBTaskResult.objects.exists()


def test_the_worker_sends_it_and_records_delivery(django_capture_on_commit_callbacks):
    email = _queue(django_capture_on_commit_callbacks)
    seen = []
    email_delivery_changed.connect(lambda sender, email, **kw: seen.append(email.state), weak=False,
                                   dispatch_uid="test-seen")
    try:
        run_queued_tasks()
    finally:
        email_delivery_changed.disconnect(dispatch_uid="test-seen")
    email.refresh_from_db()
    assert email.state == EmailState.SENT and email.attempts == 1 and email.sent_at is not None
    [message] = mail.outbox
    assert message.to == ["duty@police.example"] and message.body == "Sign in"
    assert seen == [EmailState.SENT]


def test_a_failing_mail_server_is_tried_again_later(monkeypatch, django_capture_on_commit_callbacks):
    email = _queue(django_capture_on_commit_callbacks)
    monkeypatch.setattr("cme.core.mail.EmailMessage.send", refusing_server)
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_tasks()
    email.refresh_from_db()
    assert email.state == EmailState.RETRYING and email.attempts == 1
    assert "mail server down" in email.last_error and email.next_attempt_at > timezone.now()
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after is not None and retry.run_after > timezone.now()

    # The server is back when the retry falls due.
    monkeypatch.undo()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_queued_tasks()
    email.refresh_from_db()
    assert email.state == EmailState.SENT and email.attempts == 2 and email.last_error == ""
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_it_is_marked_not_delivered(monkeypatch, settings, django_capture_on_commit_callbacks):
    settings.CME_EMAIL_MAX_ATTEMPTS = 2
    email = _queue(django_capture_on_commit_callbacks)
    monkeypatch.setattr("cme.core.mail.EmailMessage.send", refusing_server)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            run_queued_tasks()
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    email.refresh_from_db()
    assert email.state == EmailState.FAILED and email.attempts == 2
    assert not DBTaskResult.objects.filter(status="READY").exists()  # no more tries
    assert not mail.outbox


def test_an_attachment_is_sent_with_the_e_mail(mailoutbox, django_capture_on_commit_callbacks):
    from cme.core.mail import email_deliver, email_queue

    with django_capture_on_commit_callbacks(execute=False):
        email = email_queue(to=["cme@eastdale.gov.uk"], subject="Moving", body="See the file",
                            purpose="other_la_referral",
                            attachment=("901LLLL_CTF_907LLLL_001.xml", b"<CTfile/>", "application/xml"))
    assert email_deliver(email_id=email.pk) == "sent"
    [sent] = mailoutbox
    assert sent.attachments[0][:2] == ("901LLLL_CTF_907LLLL_001.xml", b"<CTfile/>")
