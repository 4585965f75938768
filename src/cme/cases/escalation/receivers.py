"""Escalation reacts to the rooms below it: a case opened, a safeguarding flag added to a child,
an e-mail delivered (or not).
Connected when the app is ready (cases/apps.py); the receivers run inside the sender's
transaction, so an escalation is kept or undone with what set it off."""

from django.dispatch import receiver

from cme.cases.escalation.models import Escalation
from cme.cases.escalation.services import escalation_check, escalation_check_child
from cme.cases.register.signals import case_opened
from cme.core.mail import email_delivery_changed
from cme.core.models import EmailState
from cme.people.signals import safeguarding_flag_added


@receiver(case_opened, dispatch_uid="cme.cases.escalation.case_opened")
def _case_opened(sender, *, actor, case, **kwargs) -> None:
    # A missing child known to social care is escalated as soon as the case opens.
    escalation_check(actor=actor, case=case, trigger="case_opened")


@receiver(safeguarding_flag_added, dispatch_uid="cme.cases.escalation.flag_added")
def _flag_added(sender, *, actor, child_id, **kwargs) -> None:
    # A child known to social care who is missing is escalated at once (issue 5).
    escalation_check_child(actor=actor, child_id=child_id, trigger="flag_added")


@receiver(email_delivery_changed, dispatch_uid="cme.cases.escalation.email_delivery")
def _email_delivery(sender, *, email, **kwargs) -> None:
    # The escalation keeps when its e-mail was delivered (a clock stops on it) and why not.
    if email.purpose != "escalation":
        return
    delivered = email.state == EmailState.SENT
    Escalation.objects.filter(email=email).update(
        sent_at=email.sent_at if delivered else None,
        send_error="" if delivered else email.last_error,
    )
