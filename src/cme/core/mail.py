"""E-mail through the task queue, with retries and a record of delivery.

A service that must tell someone calls email_queue inside its transaction: the e-mail is kept
(core.models.Email) and handed to the task queue when the transaction commits, so nothing is
sent for a change that was rolled back, and a slow or failing mail server never holds up the
request. The worker (`cme db_worker`) sends it; a failure is recorded and tried again later,
up to CME_EMAIL_MAX_ATTEMPTS times, then the e-mail is marked not delivered. Rooms above core
that keep their own copy of the state (an escalation's sent_at) receive email_delivery_changed.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.dispatch import Signal
from django.tasks import task
from django.utils import timezone

from cme.core.models import Email, EmailState

logger = logging.getLogger(__name__)

# Sent after every delivery attempt, with the e-mail as it now stands (argument: email).
email_delivery_changed = Signal()

# Minutes to wait before each retry; the last is repeated.
RETRY_AFTER_MINUTES = (1, 5, 15, 60)


def max_attempts() -> int:
    return int(getattr(settings, "CME_EMAIL_MAX_ATTEMPTS", 5))


def email_queue(*, to: list[str], subject: str, body: str, purpose: str,
                attachment: tuple[str, bytes, str] | None = None) -> Email:
    """Keep an e-mail and queue it for sending when the current transaction commits.
    attachment: (file name, content, MIME type), or None."""
    name, content, mimetype = attachment or ("", None, "")
    email = Email.objects.create(purpose=purpose, to=list(to), subject=subject, body=body,
                                 attachment_name=name, attachment=content, attachment_type=mimetype)
    transaction.on_commit(lambda: _enqueue(email.pk))
    return email


@task
def send_email_task(*, email_id: int) -> str:
    """The worker's job (settings.TASKS; `cme db_worker`): one attempt to send a queued e-mail."""
    return email_deliver(email_id=email_id)


def _enqueue(email_id: int, run_after: dt.datetime | None = None) -> None:
    task_ = send_email_task.using(run_after=run_after) if run_after else send_email_task
    task_.enqueue(email_id=email_id)


def email_deliver(*, email_id: int) -> str:
    """One attempt to send a queued e-mail; returns its state afterwards."""
    with transaction.atomic():
        email = Email.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.state in (EmailState.SENT, EmailState.FAILED):
            return email.state if email else "missing"
        email.attempts += 1
        try:
            message = EmailMessage(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, email.to)
            if email.attachment_name and email.attachment is not None:
                message.attach(email.attachment_name, bytes(email.attachment), email.attachment_type or None)
            message.send(fail_silently=False)
        except Exception as exc:  # any failure of the mail server is recorded, and tried again
            logger.warning("E-mail %s (%s) not sent, attempt %s: %s", email.pk, email.purpose, email.attempts, exc)
            email.last_error = f"{type(exc).__name__}: {exc}"[:300]
            if email.attempts < max_attempts():
                wait = RETRY_AFTER_MINUTES[min(email.attempts, len(RETRY_AFTER_MINUTES)) - 1]
                email.state, email.next_attempt_at = EmailState.RETRYING, timezone.now() + dt.timedelta(minutes=wait)
                retry_at = email.next_attempt_at
                transaction.on_commit(lambda: _enqueue(email_id, run_after=retry_at))
            else:
                email.state, email.next_attempt_at = EmailState.FAILED, None
        else:
            email.state, email.sent_at, email.next_attempt_at, email.last_error = (
                EmailState.SENT, timezone.now(), None, "")
        email.save()
        email_delivery_changed.send(sender=Email, email=email)
    return email.state
