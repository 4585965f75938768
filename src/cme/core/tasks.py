"""Background work of core, through Django's task framework (settings.TASKS; `cme db_worker`
runs the database backend's worker)."""

from django.tasks import task


@task
def send_email_task(*, email_id: int) -> str:
    """Send one queued e-mail (core.mail); a failure is recorded and queued again later."""
    from cme.core.mail import email_deliver

    return email_deliver(email_id=email_id)
