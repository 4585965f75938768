"""Run the task queue in a test: the real database backend's worker, once through what is due.

Tests that need background work done (e-mail delivery) call run_queued_tasks() after the
action, as `cme db_worker` would; nothing is mocked but the mail server (Django's locmem
backend in tests)."""

from unittest import mock

from django.core.management import call_command


def run_queued_tasks() -> None:
    """Run every task that is due now, then return (the worker in batch mode).

    The worker closes "old" connections between tasks, as a web request would; inside a test,
    which is one open transaction on one connection, that would close the test's own connection
    (PostgreSQL; SQLite's in-memory test database ignores it), so here it is left open."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", "--interval", "0",
                     verbosity=0)
