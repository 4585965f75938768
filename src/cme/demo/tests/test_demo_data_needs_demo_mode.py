"""`cme demo-data` loads fictional people into the database: only in demo mode (CME_DEMO), never
into a council's real register by a slip of the keyboard."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cme.providers.models import Organisation


def test_demo_data_refuses_outside_demo_mode(db, settings):
    settings.CME_DEMO = False
    with pytest.raises(CommandError, match="CME_DEMO"):
        call_command("demo-data", scale=50, cases=12, verbosity=0)
    assert not Organisation.objects.exists()


def test_demo_mode_is_off_unless_the_environment_says_so():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "CME_DEMO"}
    code = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'cme.settings'); " \
           "django.setup(); from django.conf import settings; print(settings.CME_DEMO)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
