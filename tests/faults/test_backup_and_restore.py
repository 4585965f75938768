"""`cme backup` and `cme restore` (issue 15 point 5): a backup restored over a database that has
changed since (or been lost) brings back every record, and the audit chain verifies with the
sealed hash. Run on the database the suite runs on: SQLite files, or PostgreSQL databases made
for the test when DATABASE_URL is set."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CME = str(Path(sys.executable).with_name("cme"))
SETUP = """
from cme.providers.models import Organisation, OrgKind
from cme.testing import factories as f
from cme.cases.register.services import case_note_add
la = Organisation.objects.create(kind=OrgKind.LA, name="Northmoor Council", la_code="901")
officer = f.make_user(la, username="priya")
for n in range(5):
    case = f.make_case(f.make_child(la, legal_surname=f"Kept{n}"), responsible_officer=officer)
    case_note_add(actor=officer, case=case, text=f"Note {n}")
# A child past its retention period, disposed of before the backup: its audit events anonymised.
import datetime as dt
from django.core.management import call_command
from cme.people.models import Child
old = f.make_child(la, legal_surname="Disposed", date_of_birth=dt.date(1990, 1, 1))
case_note_add(actor=officer, case=f.make_case(old, stage="closed", closed_on=dt.date(2010, 1, 1)), text="Old")
Child.objects.filter(pk=old.pk).update(updated_at=dt.datetime(2010, 1, 1, tzinfo=dt.UTC))
from cme.cases.models import Case
Case.objects.filter(child=old).update(updated_at=dt.datetime(2010, 1, 1, tzinfo=dt.UTC))
call_command("retention-dispose", "--apply")
"""
STATE = """
from cme.people.models import Child
from cme.audit.models import AuditEvent
print(Child.objects.count(), AuditEvent.objects.count(), AuditEvent.objects.exclude(redacted_digest="").count(), sorted(Child.objects.values_list("legal_surname", flat=True))[:2])
"""
LOSE = """
from cme.people.models import Child
from cme.cases.models import Case, CaseNote
CaseNote.objects.all().delete(); Case.objects.all().delete(); Child.objects.all().delete()
"""


@pytest.fixture
def database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "DJANGO_SETTINGS_MODULE")
           and not k.startswith("DJANGO_ALLOW")}
    env.update(CME_DATA_DIR=str(tmp_path), CME_DEBUG="1", CME_SECRET_KEY="backup-" + "y" * 50)
    url = os.environ.get("DATABASE_URL")
    made = None
    if url:
        import psycopg

        made = f"cme_backup_{uuid.uuid4().hex[:8]}"
        admin = urlsplit(url)._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{made}"')
        env["DATABASE_URL"] = urlsplit(url)._replace(path=f"/{made}").geturl()
    else:
        env.pop("DATABASE_URL", None)
    yield env
    if made:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{made}" WITH (FORCE)')


def _cme(env, *args, script="", ok=True):
    done = subprocess.run([CME, *args] + (["-c", script] if script else []), env=env, capture_output=True,
                          text=True, timeout=300)
    if ok:
        assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_a_backup_restored_brings_back_every_record_and_a_verifying_audit_chain(database, tmp_path):
    _cme(database, "migrate", "--no-input", "-v", "0")
    _cme(database, "shell", script=SETUP)
    before = _cme(database, "shell", script=STATE).stdout.strip().splitlines()[-1]
    assert before.startswith("5 ") and before.split()[2] != "0"  # disposed of, its events anonymised
    seal = _cme(database, "audit", "seal").stdout.strip().splitlines()[-1]
    backup = tmp_path / "cme.backup"
    made = _cme(database, "backup", "--out", str(backup))
    assert "Backed up" in made.stdout and backup.exists()
    assert _cme(database, "backup", "--out", str(backup), ok=False).returncode != 0  # never overwritten
    _cme(database, "shell", script=LOSE)  # records lost after the backup
    assert _cme(database, "shell", script=STATE).stdout.strip().splitlines()[-1].startswith("0 ")
    assert _cme(database, "restore", str(backup), ok=False).returncode != 0  # asks for --yes
    restored = _cme(database, "restore", str(backup), "--yes")
    assert "every table as the manifest says" in restored.stdout and "verifies" in restored.stdout
    assert _cme(database, "shell", script=STATE).stdout.strip().splitlines()[-1] == before
    assert "intact" in _cme(database, "audit", "verify", "--expect", seal).stdout
