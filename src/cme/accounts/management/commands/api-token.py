"""`cme api-token USERNAME`: print a new API token acting as that user (or revoke one).

The file name has a hyphen so that the command reads as `cme api-token`; Django loads commands
by file name.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cme.accounts.models import User
from cme.accounts.tokens import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = (
        "Print a new API bearer token acting as USERNAME, scoped and audited as that user. "
        "The token is shown once. With --revoke PREFIX, stop that token working instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for, e.g. 'police RMS'")
        parser.add_argument(
            "--revoke", metavar="PREFIX", help="Revoke the user's token with this prefix"
        )

    def handle(self, *args, username, name, revoke, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username}")
        try:
            if revoke:
                record = api_token_revoke(user=user, prefix=revoke)
                self.stdout.write(f"Revoked API token {record.prefix} of {username}.")
                return
            token = api_token_create(user=user, name=name)
        except ValidationError as e:
            raise CommandError("; ".join(e.messages)) from e
        # The token alone on stdout, so that scripts can capture it; the advice on stderr.
        self.stdout.write(token)
        self.stderr.write(
            f"API token for {username}: send it as 'Authorization: Bearer <token>'. "
            "It is shown only this once."
        )
