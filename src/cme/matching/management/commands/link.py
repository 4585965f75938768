"""`cme link`: link a referrals CSV to a roll CSV with no database (issue 3, point 4)."""

from django.core.management.base import BaseCommand, CommandError

from cme.matching import batch
from cme.matching.engine import Model


def _probability(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
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

    def handle(self, *args, **opts):
        try:
            roll = batch.read_people(opts["roll"])
            referrals = batch.read_people(opts["referrals"])
            model = Model.load(opts["model"]) if opts["model"] else None
        except (batch.InputError, ValueError, KeyError, OSError) as e:
            raise CommandError(str(e)) from None
        links, model = batch.link(roll, referrals, model=model, threshold=opts["threshold"])
        if opts["save_model"]:
            model.save(opts["save_model"])
        batch.write_links(opts["out"], links)
        matched = sum(1 for item in links if item.roll_id)
        self.stderr.write(f"{matched} of {len(links)} referrals matched at probability ≥ {opts['threshold']}")
        check = model.trained_on.get("check")
        if check:
            trained = check["calibration"]["trained"]
            self.stderr.write(
                f"model: {'trained on the inputs' if check['kept'] == 'trained' else 'the engine defaults'}"
                f" (held-out check: {trained['wrong_links']} wrong links, expected calibration error"
                f" {trained['ece']:.3f}, Brier {trained['brier']:.4f})"
            )
