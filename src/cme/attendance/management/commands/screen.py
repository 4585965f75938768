"""cme screen: the batch screening contract, with no database.

    cme screen --registers REG.csv --as-of 2026-07-17 --out OUT.csv [--rules RULES.toml]

REG.csv: header upn,laestab,start_date,marks (see cme.attendance.regfile). OUT.csv: header
upn,laestab,rule,detail, one row per rule that fires. Bad input: a message naming the row and
field, a non-zero exit, and no output file. The `cme` program runs `cme.attendance.screen_cli`
directly, without Django's start-up; this command runs the same code for `call_command`.
"""

from django.core.management.base import BaseCommand, CommandError

from cme.attendance import screen_cli, screening


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
        try:
            summary = screen_cli.run(registers=options["registers"], as_of=options["as_of"], out=options["out"],
                                     rules=options["rules"])
        except screen_cli.ScreenError as e:
            raise CommandError(str(e)) from None
        self.stderr.write(summary)
