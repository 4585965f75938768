"""Output files that appear whole or not at all (pure: no Django).

A command killed while writing (SIGKILL, a full disk) must not leave half a file under the name
the next step reads: the text goes to `<name>.part` beside it, is flushed to disk, and is renamed
over the name in one step. On failure the part file is removed and the error raised.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: str | os.PathLike, data: str | bytes, *, encoding: str = "utf-8") -> None:
    target = Path(path)
    part = target.with_name(target.name + ".part")
    payload = data.encode(encoding) if isinstance(data, str) else data
    try:
        with open(part, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
