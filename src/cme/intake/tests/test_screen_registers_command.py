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
