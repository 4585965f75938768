"""The `cme` command: Django's management commands with CME Tracker's settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cme.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cme", *sys.argv[1:]])


if __name__ == "__main__":
    main()
