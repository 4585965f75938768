"""`cme import-deletion-returns FILE --la CODE`: a CSV of deletion returns for the authority's
schools (all or nothing; every problem named by row and field)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cme.providers.models import Organisation, OrgKind
from cme.tracking.services import ReturnsRefused, deletion_returns_import


class Command(BaseCommand):
    help = "Import deletion returns (laestab,upn,deleted_on,ground,...) for one authority's schools."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--la", required=True, help="the authority's LA code")

    def handle(self, *args, **opts):
        la = Organisation.objects.filter(kind=OrgKind.LA, la_code=opts["la"]).first()
        if la is None:
            raise CommandError(f"--la: no authority with LA code {opts['la']}")
        try:
            data = Path(opts["file"]).read_bytes()
        except OSError as e:
            raise CommandError(f"{opts['file']}: {e.strerror}") from None
        try:
            saved = deletion_returns_import(actor=None, data=data,
                                            providers=list(Organisation.objects.filter(la=la).exclude(estab="")))
        except ReturnsRefused as e:
            raise CommandError("nothing imported:\n" + "\n".join(e.messages)) from None
        flagged = sum(1 for r in saved if r.flags)
        self.stdout.write(f"{len(saved)} deletion returns imported, {flagged} with something to check")
