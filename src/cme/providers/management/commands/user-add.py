"""`cme user-add USERNAME --org ORG --role ROLE [--role ROLE] --email ADDRESS`: add a user of an
authority, a school or other provider, or a partner agency, and print a one-time password.

ORG is an LA code (901: the authority's own staff), a LAESTAB (9012001: a school or provider), or
a partner agency's name with --la. Roles are those the organisation's kind allows (see
`cme.accounts.services.roles_allowed_for`). The password is printed alone on stdout, once; pass it
on by a safe channel. Council staff set up two-factor sign-in at their first sign-in.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cme.accounts.models import Role
from cme.accounts.services import user_create
from cme.providers.models import Organisation, OrgKind


def organisation_named(org: str, la_code: str | None) -> Organisation:
    org = org.strip()
    if org.isdigit() and len(org) == 3:
        found = Organisation.objects.filter(kind=OrgKind.LA, la_code=org).first()
    elif org.isdigit() and len(org) == 7:
        found = Organisation.objects.filter(la_code=org[:3], estab=org[3:]).first()
    else:
        if not la_code:
            raise CommandError("--org: a partner agency is named with --la (its authority's LA code)")
        found = Organisation.objects.filter(kind=OrgKind.PARTNER_AGENCY, la__la_code=la_code, name__iexact=org).first()
    if found is None:
        raise CommandError(f"--org: no organisation {org!r} (an LA code, a LAESTAB, or an agency's name with --la)")
    return found


class Command(BaseCommand):
    help = "Add a user of an authority, a provider or a partner agency; print a one-time password."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="LA code, LAESTAB, or a partner agency's name (with --la)")
        parser.add_argument("--la", help="the agency's authority (LA code), when --org names an agency")
        parser.add_argument("--role", action="append", required=True, choices=Role.values,
                            help="a role (repeat for more)")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", required=True)

    def handle(self, *args, **opts):
        organisation = organisation_named(opts["org"], opts["la"])
        try:
            user, password = user_create(
                actor=None, username=opts["username"], organisation=organisation, roles=opts["role"],
                first_name=opts["first_name"], last_name=opts["last_name"], email=opts["email"],
            )
        except ValidationError as e:
            raise CommandError("; ".join(f"--{k.replace('_', '-')}: {' '.join(v)}" for k, v in e.message_dict.items())) from e
        self.stdout.write(password)
        self.stderr.write(f"Added {user.username} of {organisation.name}. The password above is shown only this once.")
