"""The "Run screening now" button queues the nightly work through Django's task framework."""

import pytest
from django.utils import timezone

from cme.intake.models import ScreeningFinding, ScreeningRun
from cme.intake.tests.screening_builders import absent_days, store_register, weeks
from cme.testing import factories as f

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def absent_until_today(la_a, school_a):
    """Ten school days absent ending this week, so that today's screening finds them."""
    today = timezone.localdate()
    monday = today - timezone.timedelta(days=today.weekday() + 7 * 7)
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley", upn=f.make_upn("901"))
    store_register(child, school_a, weeks(5) + absent_days(10), start=monday)
    return child


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_managers_and_officers_queue_a_run_that_the_worker_runs(absent_until_today, persona, client_for, settings):
    settings.TASKS = IMMEDIATE
    client = client_for(persona)
    assert "Run screening now" in client.get("/at-risk").content.decode()

    response = client.post("/at-risk/run", follow=True)

    page = response.content.decode()
    assert "was queued at" in page
    run = ScreeningRun.objects.get()
    assert run.requested_by == persona and run.as_of == timezone.localdate() and run.finished_at
    assert ScreeningFinding.objects.filter(child=absent_until_today, rule="continuous_absence_10").exists()
    assert "The last screening" in page and "Ruby Hartley" in page


def test_the_button_stores_the_task_for_the_worker(officer_a, client_for, la_a):
    from django_tasks_db.models import DBTaskResult

    client_for(officer_a).post("/at-risk/run")

    task = DBTaskResult.objects.get()
    assert task.task_path == "cme.intake.tasks.screen_registers_task"
    assert task.args_kwargs["kwargs"]["la_id"] == la_a.pk
    assert not ScreeningRun.objects.exists()


def test_officer_b_runs_only_its_own_authority(absent_until_today, officer_b, client_for, settings):
    settings.TASKS = IMMEDIATE
    client_for(officer_b).post("/at-risk/run")
    assert ScreeningRun.objects.get().la == officer_b.organisation
    assert not ScreeningFinding.objects.exists()


def test_staff_who_do_not_work_referrals_are_refused(la_a, client_for):
    from cme.accounts.models import Role

    admissions = f.make_user(la_a, Role.ADMISSIONS)
    client = client_for(admissions)
    assert "Run screening now" not in client.get("/at-risk").content.decode()
    assert client.post("/at-risk/run").status_code == 403
    assert not ScreeningRun.objects.exists()
