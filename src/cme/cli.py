"""The `cme` command: Django's management commands with CME Tracker's settings."""

import os
import sys

# Batch contracts that read and write files only run without Django's start-up (settings, every
# app's models and URLs), which would cost as long as the work itself.
PURE = {"screen": "cme.attendance.screen_cli"}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in PURE:
        from importlib import import_module

        # No linear algebra here: without OpenBLAS's idle threads the process is single-threaded
        # when `cme screen` forks the second half of the file.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

        sys.exit(import_module(PURE[sys.argv[1]]).main(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cme.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cme", *sys.argv[1:]])


if __name__ == "__main__":
    main()
