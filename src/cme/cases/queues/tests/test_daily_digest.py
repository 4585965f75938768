"""cme send-digests: each officer their due and overdue tasks and clocks, each manager a summary
of the team; once a day however often it runs; no child's name or flag in an e-mail."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from cme.cases.models import Digest, StageChange, Task
from cme.cases.queues.tests.test_case_clocks import term_dates  # noqa: F401 - a fixture
from cme.testing import factories as f
from cme.testing.tasks import run_queued_tasks

D = dt.date
ON = D(2025, 11, 6)


@pytest.fixture
def work(term_dates, child_a, officer_a, manager_a):  # noqa: F811
    child_a.flags.create(flag="child_protection", detail="Category neglect")
    case = f.make_case(child_a, responsible_officer=officer_a, referred_on=D(2025, 10, 24))
    StageChange.objects.create(case=case, from_stage="", to_stage="logged")
    StageChange.objects.filter(case=case).update(changed_at=dt.datetime(2025, 10, 24, 10, tzinfo=dt.UTC))
    Task.objects.create(case=case, title="Visit the address", assigned_to=officer_a, due_on=D(2025, 11, 5))
    return case


def run(*args):
    out = StringIO()
    call_command("send-digests", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_officer_gets_due_and_overdue_work_and_manager_a_summary(work, officer_a, manager_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = run("--date", ON.isoformat())
    run_queued_tasks()
    assert "alice (officer)" in output and "mary (manager)" in output
    to_officer = next(m for m in mail.outbox if m.to == [officer_a.email])
    assert f"Task on case {work.reference}: Visit the address – overdue since 5 November 2025" in to_officer.body
    assert f"Case {work.reference}: First enquiry made – overdue since 5 November 2025" in to_officer.body
    summary = next(m for m in mail.outbox if m.to == [manager_a.email] and "team summary" in m.subject)
    assert "Alice Tester: 1 open cases, 2 overdue, 1 open tasks" in summary.body
    for message in mail.outbox:
        for secret in ("Ruby", "Hartley", "neglect", "protection"):
            assert secret not in message.body, secret


def test_running_twice_the_same_day_sends_nothing_more(work, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run("--date", ON.isoformat())
    run_queued_tasks()
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        output = run("--date", ON.isoformat())
    run_queued_tasks()
    assert len(mail.outbox) == sent and "0 sent" in output
    assert Digest.objects.filter(on=ON).count() == sent


def test_a_new_day_is_a_new_digest(work, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run("--date", ON.isoformat())
        run("--date", (ON + dt.timedelta(days=1)).isoformat())
    assert Digest.objects.filter(kind="officer", user__username="alice").count() == 2


def test_other_authorities_officers_hear_nothing_of_la_a(work, officer_b, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run("--date", ON.isoformat())
    run_queued_tasks()
    assert not [m for m in mail.outbox if officer_b.email in m.to]


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="--date: '6/11/2025' is not a date"):
        run("--date", "6/11/2025")
