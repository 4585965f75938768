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
            for name, c in check["calibration"].items():
                self.stderr.write(
                    f"held-out check, {'the model trained on the inputs' if name == 'trained' else 'the engine defaults'}: "
                    f"{c['wrong_links']} wrong links of {c['referrals']}, expected calibration error {c['ece']:.3f}, "
                    f"Brier {c['brier']:.4f}"
                )
            if check["trained_did_worse"]:
                self.stderr.write("warning: the trained model did worse than the defaults on referrals made from the "
                                  "roll; it is used because it fits these files (give --model to use another)")
