"""`cme partner-agency --la 901 --name "Northmoor Police" --service police [--email ...]`: add a
partner agency of an authority, or say what an existing one is (`--service`) and how to reach it.
`cme partner-agency --la 901 --list` lists the authority's agencies and what each is.

Escalation of a child with a protection plan tells the agencies whose service is police and
children's social care, so every agency must say what it is.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cme.providers.models import Organisation, OrgKind, PartnerService
from cme.providers.services import partner_agency_save


class Command(BaseCommand):
    help = "Add or change a partner agency of an authority (what it is, its contact), or list them."

    def add_arguments(self, parser):
        parser.add_argument("--la", required=True, help="the authority's LA code")
        parser.add_argument("--name", help="the agency's name")
        parser.add_argument("--service", choices=PartnerService.values, help="what the agency is")
        parser.add_argument("--email", default="", help="the agency's referral contact e-mail")
        parser.add_argument("--contact", default="", help="the contact's name")
        parser.add_argument("--phone", default="")
        parser.add_argument("--list", action="store_true", help="list the authority's agencies")

    def handle(self, *args, **opts):
        la = Organisation.objects.filter(kind=OrgKind.LA, la_code=opts["la"]).first()
        if la is None:
            raise CommandError(f"--la: no authority has LA code {opts['la']}")
        if opts["list"]:
            for agency in Organisation.objects.filter(la=la, kind=OrgKind.PARTNER_AGENCY).order_by("name"):
                what = agency.get_service_display() if agency.service else "NOT SAID (set --service)"
                self.stdout.write(f"{agency.name}\t{what}\t{agency.contact_email or '-'}")
            return
        if not opts["name"] or not opts["service"]:
            raise CommandError("--name and --service are needed to add or change an agency (or --list)")
        try:
            agency = partner_agency_save(actor=None, la=la, name=opts["name"], service=opts["service"],
                                         contact_email=opts["email"], contact_name=opts["contact"],
                                         contact_phone=opts["phone"])
        except ValidationError as e:
            raise CommandError("; ".join(f"--{k.replace('_', '-')}: {' '.join(v)}" for k, v in e.message_dict.items())) from e
        self.stdout.write(f"{agency.name} of {la.name}: {agency.get_service_display()}")
