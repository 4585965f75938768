"""`cme screen` without Django: the batch screening contract as a plain program (pure module).

The contract reads and writes files only, so it needs none of Django's start-up (settings, every
app's models, the URL map), which cost about as long as screening a large authority's year. The
`cme` entry point runs this directly for `cme screen`; the management command (`call_command`,
`python -m django`) runs the same `run`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from typing import BinaryIO

from cme.attendance import codes, regfile, screening


class ScreenError(Exception):
    """Bad input or options: the message names the row and field (or the option)."""


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ScreenError(f"--as-of: {value!r} is not a date (YYYY-MM-DD)") from None


def run(*, registers: str, as_of: str, out: str, rules: str = str(screening.DEFAULT_RULES),
        stdin: BinaryIO | None = None, processes: int = 1) -> str:
    """Screen REG.csv (or standard input for "-") into OUT.csv; the summary line for the operator.

    `processes=2` screens the file's two halves in two processes (see regfile.screen_file): for
    `cme screen` as its own program, not for a process that holds a database connection."""
    day = iso_date(as_of)
    started = time.perf_counter()
    try:
        loaded = screening.load_rules(rules)
        source = (stdin or sys.stdin.buffer) if registers == "-" else registers
        summary = regfile.screen_file(source, day, out, loaded, processes=processes)
    except FileNotFoundError as e:
        raise ScreenError(f"{e.filename}: no such file") from None
    except (regfile.RegisterFileError, codes.UnknownCodeError, screening.RulesError) as e:
        raise ScreenError(str(e)) from None
    return (f"{summary['pupils']:,} pupils at {summary['providers']:,} providers screened as of "
            f"{day.isoformat()}: {summary['findings']:,} findings in {out} ({time.perf_counter() - started:.2f} s)")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cme screen", description="Screen attendance registers (REG.csv) against the "
                                "at-risk rules, without a database.")
    p.add_argument("--registers", required=True, help="REG.csv, or - for standard input")
    p.add_argument("--as-of", required=True, help="YYYY-MM-DD; later marks are ignored")
    p.add_argument("--out", required=True, help="where to write the findings CSV")
    p.add_argument("--rules", default=str(screening.DEFAULT_RULES), help="rules file (TOML); default: the shipped rules")
    return p


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    try:
        print(run(registers=args.registers, as_of=args.as_of, out=args.out, rules=args.rules, processes=2),
              file=sys.stderr)
    except ScreenError as e:
        print(f"CommandError: {e}", file=sys.stderr)  # as Django's commands say it
        return 1
    return 0
