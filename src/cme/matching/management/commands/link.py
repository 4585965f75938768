"""`cme link`: link a referrals CSV to a roll CSV with no database (issue 3, point 4)."""


from django.core.management.base import BaseCommand, CommandError

from cme.matching import batch
from cme.matching import spark as spark_options
from cme.matching.engine import MAX_BLOCK, Model


def _probability(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise ValueError(text)
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = "Link every referral to its best match on the roll; write referral_id,roll_id,probability."
    requires_system_checks = []  # runs without a database or a configured site

    def add_arguments(self, parser):
        parser.add_argument("--roll", required=True, help="roll CSV (id,upn,forename,...,address)")
        parser.add_argument("--referrals", required=True, help="referrals CSV, same columns")
        parser.add_argument("--out", required=True, help="where to write the links CSV")
        parser.add_argument("--threshold", type=_probability, default=batch.DEFAULT_THRESHOLD,
                            help="lowest probability that counts as a match (default 0.9)")
        parser.add_argument("--model", help="a saved model (JSON); without it, train on the inputs")
        parser.add_argument("--save-model", help="write the trained model here")
        parser.add_argument("--checked", help="CHECKED.csv (referral_id,roll_id): outcomes known for some of the "
                                              "referrals, such as the matches officers confirmed in an earlier "
                                              "run; the model's evidence scale is fitted to them before linking")
        parser.add_argument("--max-block", type=_count, default=MAX_BLOCK,
                            help=f"skip a blocking key held by more roll records than this (default {MAX_BLOCK}; "
                                 "a national roll wants fewer, see docs/national-search.md)")
        parser.add_argument("--found-details", action="store_true",
                            help="with --engine spark: give each link the pupil found (person columns, laestab, "
                                 "entry_date), for `cme national-search import`")
        parser.add_argument("--engine", choices=("memory", "spark"), default="memory",
                            help="memory: one process (default); spark: an Apache Spark job, for a national "
                                 "roll (needs --model; see docs/national-search.md)")
        spark_options.add_session_arguments(parser)

    def handle(self, *args, **opts):
        if opts["found_details"] and opts["engine"] != "spark":
            raise CommandError("--found-details is for --engine spark (a national run)")
        if opts["engine"] == "spark":
            return self._spark(opts)
        try:
            roll = batch.read_people(opts["roll"])
            referrals = batch.read_people(opts["referrals"])
            model = Model.load(opts["model"]) if opts["model"] else None
            checked = batch.read_checked(opts["checked"], referrals, roll) if opts["checked"] else None
        except (batch.InputError, ValueError, KeyError, OSError) as e:
            raise CommandError(str(e)) from None
        links, model = batch.link(roll, referrals, model=model, threshold=opts["threshold"], max_block=opts["max_block"],
                                  checked=checked)
        if opts["save_model"]:
            model.save(opts["save_model"])
        batch.write_links(opts["out"], links)
        matched = sum(1 for item in links if item.roll_id)
        self.stderr.write(f"{matched} of {len(links)} referrals matched at probability ≥ {opts['threshold']}")
        fit = model.trained_on.get("evidence_scale_fit")
        if checked and fit:
            self.stderr.write(f"evidence scale fitted on {fit['labelled']} checked outcomes: {fit['scale']} "
                              f"(was {fit['was']})")
        check = model.trained_on.get("check")
        if check:
            for name, c in check["calibration"].items():
                self.stderr.write(
                    f"held-out check, {'the model trained on the inputs' if name == 'trained' else 'the engine defaults'}: "
                    f"{c['wrong_links']} wrong links of {c['referrals']}, expected calibration error {c['ece']:.3f}, "
                    f"Brier {c['brier']:.4f}"
                )
            if check["trained_did_worse"]:
                self.stderr.write("warning: the trained model did worse than the defaults on referrals made from the "
                                  "roll; it is used because it fits these files (give --model to use another)")

    def _spark(self, opts) -> None:
        """The same links from a Spark job: the roll and referrals may be folders of CSV files, and
        an --out ending in .parquet is written as a Parquet folder by the executors."""
        from cme.matching import spark

        if not opts["model"]:
            raise CommandError("--engine spark needs --model: train one with `cme link` on an authority's roll "
                               "(--save-model; --checked fits it to known outcomes) or `cme matching-train`, so that "
                               "every part of the run scores alike")
        if opts["save_model"] or opts["checked"]:
            raise CommandError("--save-model and --checked train in one process; with --engine spark give --model")
        try:
            conf = spark.conf_of(opts["spark_conf"])
        except ValueError as e:
            raise CommandError(str(e)) from None
        try:
            model = Model.load(opts["model"])
        except (ValueError, KeyError, OSError) as e:
            raise CommandError(str(e)) from None
        # A session that was there before (spark-submit's, a caller's) is left running.
        ours = not spark.running()
        session = spark.session(opts["spark_master"], conf)
        try:
            if str(opts["out"]).endswith(".parquet"):
                frame, counts = spark.link_frame(session, opts["roll"], opts["referrals"], model=model,
                                                 threshold=opts["threshold"], max_block=opts["max_block"],
                                                 details=opts["found_details"])
                spark.write_parquet(frame, opts["out"])
                summary = f"{counts['referrals']} referrals linked against {counts['roll']} pupils"
            else:
                links, run = spark.link(session, opts["roll"], opts["referrals"], model=model,
                                        threshold=opts["threshold"], max_block=opts["max_block"],
                                        details=opts["found_details"])
                batch.write_links(opts["out"], links, run.found)
                summary = (f"{run.matched} of {run.referrals} referrals matched at probability ≥ {opts['threshold']} "
                           f"({run.roll} pupils, {run.candidate_pairs} candidate pairs)")
        except batch.InputError as e:
            raise CommandError(str(e)) from None
        finally:
            if ours:
                session.stop()
        self.stderr.write(summary)
