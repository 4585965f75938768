"""Uploaded files: one size limit per kind of file, the same through the page, the API and the
command line; and large files kept on disk, never in memory, until the task queue imports them.

    problem = too_large("register", size)      # None, or the message to show
    path = stage("register", upload.chunks())  # streamed to CME_DATA_DIR/uploads, whole or not at all

Limits are in bytes, CME_UPLOAD_LIMITS (JSON, e.g. {"register": 104857600}) overriding the
defaults below, which are sized for the largest real file of each kind.
"""

from __future__ import annotations

import errno
import json
import os
import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

MB = 1024 * 1024
DEFAULT_LIMITS = {
    "register": 200 * MB,       # a large secondary's year of registers as CSV is about 150 MB
    "roll": 50 * MB,            # a roll CSV or CTF of a whole authority's largest school, with contacts
    "ctf": 50 * MB,
    "term_dates": 1 * MB,
    "gias": 100 * MB,           # the national GIAS extract is about 60 MB
    "deletion_returns": 5 * MB,
    "new_entries": 5 * MB,
}
NAMES = {"register": "register file", "roll": "roll", "ctf": "common transfer file",
         "term_dates": "term-dates file", "gias": "GIAS extract", "deletion_returns": "deletion-returns file",
         "new_entries": "new-entries file"}


class UploadNotKept(Exception):
    """The file could not be kept (the disk is full): nothing was changed."""


def limit_for(kind: str) -> int:
    overrides = getattr(settings, "CME_UPLOAD_LIMITS", None) or json.loads(os.environ.get("CME_UPLOAD_LIMITS", "{}"))
    return int(overrides.get(kind, DEFAULT_LIMITS[kind]))


def too_large(kind: str, size: int) -> str | None:
    limit = limit_for(kind)
    if size > limit:
        return f"The file is larger than the {_size(limit)} allowed for a {NAMES.get(kind, kind)}"
    return None


def _size(n: int) -> str:
    return f"{n // MB} MB" if n >= MB else f"{n:,} bytes"


def staging_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stage(kind: str, chunks: Iterable[bytes]) -> Path:
    """Stream the file to the staging folder under a new name; whole, or nothing and UploadNotKept
    (a full disk), or ValueError when it turns out larger than its kind allows."""
    folder = staging_dir()
    name = f"{kind}-{uuid.uuid4().hex}"
    part, done = folder / f"{name}.part", folder / name
    limit, size = limit_for(kind), 0
    try:
        with open(part, "wb") as fh:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise ValueError(too_large(kind, size))
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, done)
    except OSError as e:
        part.unlink(missing_ok=True)
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise UploadNotKept("The server has no room to keep the file just now: nothing was loaded and "
                                "nothing changed. Try again later, and tell the service's administrator.") from e
        raise
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return done
