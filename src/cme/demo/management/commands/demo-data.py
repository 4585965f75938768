"""`cme demo-data`: load the fictional demo (two authorities, rolls, staff, referrals and cases).

Only in demo mode (CME_DEMO=1, as `make demo` sets it): the demo's fictional children, staff with
a shared password and two-factor sign-in switched off must never land in a council's register.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone

from cme.demo import builder


class Command(BaseCommand):
    help = "Load fictional demo data: Northmoor and Eastdale councils, their schools, rolls and cases."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=builder.DEFAULT_PUPILS_PER_LA, metavar="PUPILS",
            help="pupils on rolls per authority (default %(default)s)",
        )
        parser.add_argument(
            "--cases", type=int, default=builder.DEFAULT_CASES_PER_LA,
            help="cases per authority (default %(default)s)",
        )
        parser.add_argument("--seed", type=int, default=builder.DEFAULT_SEED)
        parser.add_argument(
            "--if-empty", action="store_true",
            help="do nothing if the demo authorities are already there",
        )
        parser.add_argument(
            "--sign-ins", action="store_true", help="only print the demo sign-ins",
        )

    def handle(self, *args, scale, cases, seed, if_empty, sign_ins, **options):
        if not settings.CME_DEMO:
            raise CommandError("demo-data runs only in demo mode (CME_DEMO=1, as `make demo` sets it): "
                               "it loads fictional people and demo sign-ins with a shared password")
        if sign_ins:
            # The demo's hand-off peers live at the address it is served on (make demo HOST/PORT).
            from cme.demo.handoffs import write_demo_handoff_config

            if settings.CME_HANDOFF_CONFIG:
                write_demo_handoff_config()
            self.print_sign_ins()
            return
        if builder.demo_loaded():
            if if_empty:
                self.stdout.write("Demo data is already loaded (make demo-reset starts afresh).")
                return
            raise CommandError(
                "Demo data is already loaded. Start afresh with `make demo-reset`."
            )
        if scale < 50 or cases < 12:
            raise CommandError("--scale must be at least 50 and --cases at least 12")
        started = time.monotonic()
        say = self.stdout.write if options["verbosity"] else (lambda _msg: None)
        # The demo's escalations and referrals to the other authority send e-mail: keep those
        # in memory rather than printing dozens of messages over the sign-ins.
        with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}):
            summary = builder.DemoBuilder(
                pupils_per_la=scale, cases_per_la=cases, seed=seed, log=say
            ).build()
        # Screen this year's registers as the nightly job would, so the at-risk list has findings.
        from cme.intake.screening_service import screening_run
        from cme.providers.models import Organisation, OrgKind

        for la in Organisation.objects.filter(kind=OrgKind.LA):
            screening_run(la_id=la.pk, as_of=timezone.localdate())
        say("Screened this year's registers for children at risk.")
        say(
            f"Loaded {summary.authorities} authorities, {summary.schools} schools, "
            f"{summary.children:,} children on rolls ({summary.enrolments:,} enrolments), "
            f"{summary.referrals:,} referrals and {summary.cases:,} cases "
            f"in {time.monotonic() - started:.0f} s."
        )

    def print_sign_ins(self):
        rows = builder.sign_ins()
        width = max(len(u) for *_, u in rows)
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (every one has the password: {builder.DEMO_PASSWORD})")
        current = None
        for authority, role, username in rows:
            if authority != current:
                self.stdout.write(f"  {authority}")
                current = authority
            self.stdout.write(f"    {username.ljust(width)}  {role}")
        self.stdout.write("")
