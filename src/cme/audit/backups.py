"""Backups of the whole service's database, and restoring one (issue 15 point 5).

    cme backup --out /backups/cme-2026-12-05.backup
    cme restore /backups/cme-2026-12-05.backup --yes

SQLite: an online, consistent copy through SQLite's backup API (the service may keep running).
PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean`, the tools PostgreSQL's own
documentation prescribes (installed with the PostgreSQL client). Beside each backup goes a
manifest: the number of rows of every table and the audit chain's newest hash, so that a restore
proves it brought back every record and an intact chain (`cme audit verify` passes, with the
sealed hash). A restore refuses a backup whose manifest does not match what it restored.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.db import connection


class BackupError(Exception):
    pass


@dataclass
class Manifest:
    engine: str
    counts: dict[str, int]
    audit_head: list  # [event id, hash]

    def write(self, path: Path) -> None:
        path.write_text(json.dumps({"engine": self.engine, "counts": self.counts, "audit_head": self.audit_head},
                                   indent=1, sort_keys=True), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Manifest:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["engine"], data["counts"], data["audit_head"])


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".manifest.json")


def table_counts() -> dict[str, int]:
    tables = sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)
                     if m._meta.managed and not m._meta.proxy})
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cur:
        for table in tables:
            if table in existing:
                cur.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from our own models
                counts[table] = cur.fetchone()[0]
    return counts


def _audit_head() -> list:
    from cme.audit.selectors import chain_head

    event_id, digest = chain_head()
    return [event_id, digest]


def _engine() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _pg_url() -> str:
    # The service's own setting comes from this variable (settings.py): the tools take the URL.
    return os.environ["DATABASE_URL"]


def backup(out: Path) -> Manifest:
    """Write the backup and its manifest; nothing is left under `out` if it fails."""
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} exists already: choose a new name (a backup never overwrites one)")
    part = out.with_name(out.name + ".part")
    manifest = Manifest(_engine(), table_counts(), _audit_head())
    try:
        if manifest.engine == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(part)
            with target:
                connection.connection.backup(target)
            target.close()
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={part}",
                  f"--dbname={_pg_url()}"])
        os.replace(part, out)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    manifest.write(manifest_path(out))
    return manifest


def restore(source: Path) -> tuple[Manifest, dict[str, int], int, list]:
    """Replace the database with the backup; then check every table's rows and the audit chain
    against the manifest. Returns (manifest, counts found, events checked, chain problems)."""
    from cme.audit.selectors import audit_verify

    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such backup")
    mpath = manifest_path(source)
    if not mpath.is_file():
        raise BackupError(f"{mpath}: the backup's manifest is missing, so the restore could not be checked")
    manifest = Manifest.read(mpath)
    if manifest.engine != _engine():
        raise BackupError(f"This backup is of a {manifest.engine} database; this service uses {_engine()}")
    if manifest.engine == "sqlite":
        name = Path(settings.DATABASES["default"]["NAME"])
        connection.close()
        source_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target = sqlite3.connect(name)
        with target:
            source_db.backup(target)
        target.close()
        source_db.close()
    else:
        connection.close()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              f"--dbname={_pg_url()}", str(source)])
    found = table_counts()
    checked, problems = audit_verify(expect=manifest.audit_head[1] if manifest.audit_head[0] else None)
    return manifest, found, checked, problems


def _run(cmd: list[str]) -> None:
    if shutil.which(cmd[0]) is None:
        raise BackupError(f"{cmd[0]} is not installed: install the PostgreSQL client (apt-get install "
                          "postgresql-client)")
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603 - fixed tools
    if done.returncode != 0:
        # The URL may hold a password: say which step failed, not the command line.
        raise BackupError(f"{cmd[0]} failed: {done.stderr.strip()[-500:]}")


def database_name() -> str:
    if _engine() == "sqlite":
        return str(settings.DATABASES["default"]["NAME"])
    return urlsplit(_pg_url()).path.lstrip("/")
