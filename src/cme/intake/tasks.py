"""Background work of intake, through Django's task framework (settings.TASKS; `cme db_worker`
runs the database backend's worker)."""

import datetime as dt

from django.tasks import task


@task
def screen_registers_task(*, la_id: int, as_of: str, requested_by_id: int | None = None) -> dict:
    """The "Run screening now" button's work: the same run as the nightly command.

    Arguments are JSON (the task is stored in the database until a worker takes it)."""
    from cme.accounts.models import User
    from cme.intake.screening_service import screening_run

    actor = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    run = screening_run(la_id=la_id, as_of=dt.date.fromisoformat(as_of), actor=actor)
    return {"run": run.pk, "opened": run.findings_opened, "cleared": run.findings_cleared}
