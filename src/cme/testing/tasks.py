"""Run the task queue in a test: the real database backend's worker, once through what is due.

Tests that need background work done (e-mail delivery) call run_queued_tasks() after the
action, as `cme db_worker` would; nothing is mocked but the mail server (Django's locmem
backend in tests)."""

from django.core.management import call_command


def run_queued_tasks() -> None:
    """Run every task that is due now, then return (the worker in batch mode)."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", "--interval", "0",
                 verbosity=0)
