"""`cme ctf-write`: write Common Transfer Files from a pupils CSV with no database (issue 12, point 3)."""

from django.core.management.base import BaseCommand, CommandError

from cme.matching.batch import InputError
from cme.movements import ctf_batch


class Command(BaseCommand):
    help = ("Write CTF 25 files from PUPILS.csv: one file to --destination, or without it one "
            "lost-pupil file (XXXXXXX) per pupil. Prints the names of the files written.")
    requires_system_checks = []  # runs without a database or a configured site

    def add_arguments(self, parser):
        parser.add_argument("--pupils", required=True, help="pupils CSV (cme link person columns + entry_date,leaving_date)")
        parser.add_argument("--source", required=True, help="source LAESTAB (an LA uses LLLL, e.g. 820LLLL)")
        parser.add_argument("--out", required=True, help="directory to write the files into")
        parser.add_argument("--destination", help="destination LAESTAB; without it, lost-pupil files")

    def handle(self, *args, **opts):
        try:
            names = ctf_batch.run(opts["pupils"], source=opts["source"].upper(), out=opts["out"],
                                  destination=opts["destination"].upper() if opts["destination"] else None)
        except (InputError, OSError) as e:
            raise CommandError(str(e)) from None
        for name in names:
            self.stdout.write(name)
