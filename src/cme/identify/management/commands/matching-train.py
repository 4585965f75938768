"""`cme matching-train [--la CODE]`: estimate each authority's matching weights from its own
children and referrals, and save them as a new model file (the newest is the one in use)."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cme.identify.services import matching_model_train
from cme.matching.services import index_changes_prune
from cme.providers.models import Organisation, OrgKind


class Command(BaseCommand):
    help = "Train the matching model of one authority (--la CODE) or of every authority."

    def add_arguments(self, parser):
        parser.add_argument("--la", help="the authority's three-digit LA code (default: every authority)")
        parser.add_argument("--seed", type=int, default=0, help="random seed (the same data and seed give the same model)")

    def handle(self, *args, **opts):
        las = Organisation.objects.filter(kind=OrgKind.LA).order_by("la_code", "pk")
        if opts["la"]:
            las = las.filter(la_code=opts["la"])
            if not las.exists():
                raise CommandError(f"--la: no authority has LA code {opts['la']}")
        for la in tqdm(list(las), desc="Training", unit="authority", disable=None):
            result = matching_model_train(la=la, seed=opts["seed"])
            # Old changes are not needed once every process can rebuild from a fresh model.
            index_changes_prune(la_id=la.pk)
            in_use = result.path or "the engine's defaults"
            if result.kept == "trained":
                self.stdout.write(f"{la.name}: {in_use}")
            else:
                self.stdout.write(f"{la.name}: kept {in_use}; the new model did worse on held-out referrals")
            for name, c in result.calibration.items():
                self.stdout.write(
                    f"  {name}: {c['wrong_links']} wrong links of {c['referrals']} held-out referrals, "
                    f"F1 {c['f1']:.3f}, expected calibration error {c['ece']:.3f}, Brier {c['brier']:.4f}"
                )
