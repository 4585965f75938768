"""cme screen-registers: the nightly command, idempotent."""

import pytest
from django.core.management import CommandError, call_command

from cme.intake.models import Referral, ScreeningFinding, ScreeningRun
from cme.intake.tests.screening_builders import absent_days, last_day, store_register, weeks
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


def test_the_nightly_command_refers_once_however_often_it_runs(la_a, la_b, school_a, capsys):
    child = f.make_child(la_a, upn=f.make_upn("901"))
    sessions = weeks(6) + absent_days(10)
    store_register(child, school_a, sessions)
    as_of = last_day(sessions).isoformat()

    call_command("screen-registers", "--la", "901", "--as-of", as_of)
    referrals = Referral.objects.count()
    call_command("screen-registers", "--as-of", as_of)

    assert ScreeningFinding.objects.filter(child=child, rule="continuous_absence_10").count() == 1
    assert Referral.objects.count() == referrals >= 1
    assert ScreeningRun.objects.filter(la=la_a).count() == 2 and ScreeningRun.objects.filter(la=la_b).count() == 1
    out = capsys.readouterr().out
    assert "Northmoor Council (901)" in out and "0 new findings" in out


def test_bad_arguments_are_named(la_a):
    with pytest.raises(CommandError, match="--as-of"):
        call_command("screen-registers", "--as-of", "31/10/2025")
    with pytest.raises(CommandError, match="--la"):
        call_command("screen-registers", "--la", "999")
    assert not ScreeningRun.objects.exists()


def test_the_help_gives_the_crontab_line():
    from importlib import import_module

    command = import_module("cme.intake.management.commands.screen-registers").Command()
    assert "30 2 * * *" in command.help and "screen-registers" in command.help


def test_a_register_marked_on_9999_12_31_does_not_stop_the_run(la_a, la_b, school_a, school_b, capsys):
    """A mark stored before imports refused it (the register says it was marked on 9999-12-31)
    made the missing-registers check overflow and stopped the run for the whole authority."""
    import datetime as dt

    from cme.attendance.models import RegisterYear

    child = f.make_child(la_a, upn=f.make_upn("901"))
    sessions = weeks(6) + absent_days(10)
    store_register(child, school_a, sessions)
    RegisterYear.objects.filter(enrolment__child=child).update(last_marked=dt.date(9999, 12, 31))
    call_command("screen-registers", "--as-of", last_day(sessions).isoformat())
    assert ScreeningFinding.objects.filter(child=child, rule="continuous_absence_10").exists()
    out = capsys.readouterr().out
    assert "Northmoor Council (901)" in out and "Eastdale Council (907)" in out


def test_one_authoritys_failure_never_stops_the_others(la_a, la_b, school_a, school_b, monkeypatch, capsys):
    from cme.intake import screening_service

    real = screening_service.screening_run

    def run(*, la_id, as_of, **kwargs):
        if la_id == la_a.pk:
            raise OverflowError("date value out of range")
        return real(la_id=la_id, as_of=as_of, **kwargs)

    import importlib

    command = importlib.import_module("cme.intake.management.commands.screen-registers")
    monkeypatch.setattr(command, "screening_run", run)
    with pytest.raises(CommandError, match="Screening failed for Northmoor Council"):
        call_command("screen-registers", "--as-of", "2025-10-10")
    assert ScreeningRun.objects.filter(la=la_b).count() == 1
    assert not ScreeningRun.objects.filter(la=la_a).exists()
    captured = capsys.readouterr()
    assert "Eastdale Council (907)" in captured.out and "OverflowError" in captured.err
