"""cme screen: the batch screening contract, with no database.

    cme screen --registers REG.csv --as-of 2026-07-17 --out OUT.csv [--rules RULES.toml]

REG.csv: header upn,laestab,start_date,marks (see cme.attendance.regfile). OUT.csv: header
upn,laestab,rule,detail, one row per rule that fires. Bad input: a message naming the row and
field, a non-zero exit, and no output file.
"""

import datetime as dt
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from cme.attendance import codes, regfile, screening


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of: {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Screen attendance registers (REG.csv) against the at-risk rules, without a database."
    requires_system_checks = []  # reads and writes files only

    def add_arguments(self, parser):
        parser.add_argument("--registers", required=True, help="REG.csv, or - for standard input")
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD; later marks are ignored")
        parser.add_argument("--out", required=True, help="where to write the findings CSV")
        parser.add_argument("--rules", default=str(screening.DEFAULT_RULES),
                            help="rules file (TOML); default: the shipped rules")

    def handle(self, *args, **options):
        as_of = iso_date(options["as_of"])
        started = time.perf_counter()
        try:
            rules = screening.load_rules(options["rules"])
            source = sys.stdin.buffer if options["registers"] == "-" else options["registers"]
            summary = regfile.screen_file(source, as_of, options["out"], rules)
        except FileNotFoundError as e:
            raise CommandError(f"{e.filename}: no such file") from None
        except (regfile.RegisterFileError, codes.UnknownCodeError, screening.RulesError) as e:
            raise CommandError(str(e)) from None
        self.stderr.write(
            f"{summary['pupils']:,} pupils at {summary['providers']:,} providers screened as of "
            f"{as_of.isoformat()}: {summary['findings']:,} findings in {options['out']} "
            f"({time.perf_counter() - started:.2f} s)")
