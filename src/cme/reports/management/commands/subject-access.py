"""cme subject-access --child ID --as MANAGER --out DIR: everything held on one child, as JSON
and PDF, for a subject access request; audited under the manager's name."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from cme.accounts.models import User
from cme.reports.subject_access import export_json, export_pdf, subject_access_export


class Command(BaseCommand):
    help = "Export everything held on one child (JSON and PDF) for a subject access request."

    def add_arguments(self, parser):
        parser.add_argument("--child", type=int, required=True, help="the child's id")
        parser.add_argument("--as", dest="username", required=True, help="the manager making the export")
        parser.add_argument("--out", required=True, help="a folder to write subject-access-<id>.json and .pdf in")

    def handle(self, *args, child, username, out, **options):
        folder = Path(out)
        if not folder.is_dir():
            raise CommandError(f"--out: {folder} is not a folder")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"--as: no active user {username}")
        try:
            export = subject_access_export(user=user, child_id=child)
        except (PermissionDenied, Http404) as e:
            raise CommandError(f"{username} may not export child {child}: {e}") from None
        (folder / f"subject-access-{child}.json").write_bytes(export_json(export))
        (folder / f"subject-access-{child}.pdf").write_bytes(export_pdf(export))
        n = sum(len(v) for v in export["records"].values())
        self.stdout.write(f"Wrote {n:,} records on child {child} to {folder} (JSON and PDF)")
