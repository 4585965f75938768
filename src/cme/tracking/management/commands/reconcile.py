"""`cme reconcile`: reconcile a year's enrolments with no database (issue 11, point 4).

    cme reconcile --enrolments ENROL.csv --as-of YYYY-MM-DD --la LA --term-dates TERMS.csv
                  --out OUT.csv [--ehe EHE.csv] [--grace N] [--workers N]
                  [--engine spark [--spark-master URL]]
"""

import argparse
import datetime as dt
import os
from concurrent.futures.process import BrokenProcessPool

from django.core.management.base import BaseCommand, CommandError

from cme.matching import spark as spark_options
from cme.matching.batch import InputError
from cme.tracking import batch
from cme.tracking.reconcile import DEFAULT_GRACE, UNRECONCILED


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of: {text!r} is not a date in the form YYYY-MM-DD") from None


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # what this process may use (a container's share)
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _workers(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes (1 or more)")
    return n


class Command(BaseCommand):
    help = "Say for every ended enrolment whether the child was found again; write OUT.csv."
    requires_system_checks = []  # runs without a database

    def add_arguments(self, parser):
        parser.add_argument("--enrolments", required=True, help="ENROL.csv")
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--la", required=True, help="the authority's LA code (3 digits)")
        parser.add_argument("--term-dates", required=True, help="TERMS.csv (docs/register-csv.md)")
        parser.add_argument("--out", required=True, help="where to write OUT.csv")
        parser.add_argument("--ehe", help="EHE.csv: the home-education list")
        parser.add_argument("--grace", type=int, default=DEFAULT_GRACE,
                            help=f"school days before a leaver counts as overdue (default {DEFAULT_GRACE})")
        parser.add_argument("--workers", type=_workers, default=_cores(),
                            help="processes that find the leavers again, with --engine memory "
                                 "(default: the cores this process may use, here %(default)s)")
        parser.add_argument("--engine", choices=("memory", "spark"), default="memory",
                            help="memory: one process (default); spark: an Apache Spark job, for enrolments "
                                 "across many authorities (the same rules and OUT.csv)")
        spark_options.add_session_arguments(parser)

    def handle(self, *args, **opts):
        as_of = _day(opts["as_of"])
        if opts["engine"] == "spark":
            return self._spark(opts, as_of)
        try:
            outcomes = batch.run(opts["enrolments"], opts["term_dates"], opts["out"], la_code=opts["la"],
                                 as_of=as_of, ehe=opts["ehe"], workers=opts["workers"])
        except InputError as e:
            raise CommandError(str(e)) from None
        except BrokenProcessPool:
            raise CommandError("a worker process stopped before it finished (out of memory?); nothing "
                               "written. Fewer workers (--workers 1) need less memory.") from None
        counts: dict[str, int] = {}
        for o in outcomes:
            counts[o.status] = counts.get(o.status, 0) + 1
        overdue = sum(1 for o in outcomes if o.status == UNRECONCILED and (o.school_days or 0) > opts["grace"])
        self._summary(len(outcomes), counts, overdue, opts["grace"])

    def _summary(self, leavers: int, counts: dict[str, int], overdue: int | None, grace: int) -> None:
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no leavers"
        tail = "" if overdue is None else f"; {overdue} unreconciled beyond {grace} school days"
        self.stdout.write(f"{leavers} leavers: {summary}{tail}")

    def _spark(self, opts, as_of: dt.date) -> None:
        from cme.matching import spark

        try:
            conf = spark.conf_of(opts["spark_conf"])
        except ValueError as e:
            raise CommandError(str(e)) from None
        ours = not spark.running()  # a session that was there before (spark-submit's) is left running
        session = spark.session(opts["spark_master"], conf, app="cme-reconcile")
        try:
            counts, overdue = batch.run_spark(session, opts["enrolments"], opts["term_dates"], opts["out"],
                                              la_code=opts["la"], as_of=as_of, ehe=opts["ehe"], grace=opts["grace"])
        except InputError as e:
            raise CommandError(str(e)) from None
        finally:
            if ours:
                session.stop()
        self._summary(sum(counts.values()), counts, overdue, opts["grace"])
