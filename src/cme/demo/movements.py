"""Demo movements: a term's deletion returns from the authority's schools, some found again on
another roll or the home-education list, some moved away, some not found (a few past the grace
period, so referred), and new pupils of whom two may be children the authority is looking for.
Through the services, after everything else, so the rolls and cases stay as they were."""

from __future__ import annotations

import datetime as dt
from random import Random

from cme.people.models import Child
from cme.providers.models import Enrolment, Organisation, OrgKind
from cme.tracking import services
from cme.tracking.models import Source

# (ground, what happened next) for each demo leaver of an authority.
PLAN = [("a", "moved"), ("c", "moved"), ("g", "moved"), ("g", "moved"), ("a", "moved"), ("g", "moved"),
        ("f", "home"), ("f", "home"), ("f", "home_no_notice"),
        ("g", "away"), ("a", "away"), ("g", "away"),
        ("g", "lost"), ("g", "lost"), ("g", "lost"), ("i", "lost"), ("h", "lost"), ("o", "excluded"),
        ("g", "look-alike")]


def _spelt_otherwise(name: str) -> str:
    """The name as another school might spell it (Sofia, Sophia; Ella, Ela)."""
    for a, b in (("ph", "f"), ("f", "ph"), ("ie", "y"), ("y", "ie"), ("ll", "l"), ("nn", "n"), ("i", "y")):
        if a in name[1:]:
            return name[0] + name[1:].replace(a, b, 1)
    return name + "e"


def build_demo_movements(las: list[Organisation], *, seed: int, today: dt.date, log=print) -> None:
    rng = Random(seed)
    for la in las:
        schools = list(Organisation.objects.filter(la=la, kind=OrgKind.SCHOOL).exclude(estab="").order_by("pk"))
        other_la = Organisation.objects.filter(kind=OrgKind.SCHOOL).exclude(la=la).exclude(estab="").first()
        taken = set(Enrolment.objects.filter(child__cases__isnull=False).values_list("child_id", flat=True))
        pupils = [e for e in Enrolment.objects.filter(provider__in=schools, leaving_date__isnull=True)
                  .exclude(child_id__in=taken).select_related("child", "provider").order_by("pk")
                  if e.child.date_of_birth and 6 <= (today - e.child.date_of_birth).days // 365 <= 14]
        rng.shuffle(pupils)
        lost = []
        term_start = max(dt.date(today.year if today.month >= 9 else today.year - 1, 9, 3),
                         today - dt.timedelta(days=90))
        for (ground, then), e in zip(PLAN, pupils, strict=False):
            left = term_start + dt.timedelta(days=rng.randrange(max((today - term_start).days - 3, 1)))
            left = max(left, e.entry_date)
            destination = ""
            if then == "away" and other_la is not None:
                destination = other_la.laestab
            services.deletion_return_record(
                actor=None, provider=e.provider, child=e.child, deleted_on=left, ground=ground,
                source=rng.choice([Source.WEB, Source.API, Source.CSV]), destination=destination,
                destination_detail="Family moved to the coast" if then == "away" else "",
                notice_received=True if then == "home" else None,
                other_registration="Northmoor Pupil Referral Unit" if ground == "c" else "",
                exclusion_on=left if ground == "o" else None)
            if then == "moved":
                school = rng.choice([s for s in schools if s.pk != e.provider_id])
                Enrolment.objects.create(child=e.child, provider=school, year_group=e.year_group,
                                         entry_date=min(left + dt.timedelta(days=rng.randint(1, 8)), today))
            if then == "lost":
                lost.append(e)
            if then == "look-alike":
                # A pupil of her birthday and surname, her name spelt otherwise, joins another school
                # that week: her, or a twin? A possible match for the officer to confirm.
                child = e.child
                other = Child.objects.create(la=la, legal_forename=_spelt_otherwise(child.legal_forename),
                                             legal_surname=child.legal_surname, date_of_birth=child.date_of_birth,
                                             sex=child.sex)
                Enrolment.objects.create(child=other, provider=rng.choice([s for s in schools if s.pk != e.provider_id]),
                                         year_group=e.year_group, entry_date=min(left + dt.timedelta(days=3), today))
        summary = services.leavers_reconcile(la_id=la.pk, as_of=today)
        # Two new pupils who may be children the authority is looking for, and one who is not.
        for e in lost[:2]:
            child = e.child
            services.new_entry_record(
                actor=None, provider=rng.choice([s for s in schools if s.pk != e.provider_id]),
                entry_date=today, source=Source.API, person={
                    "upn": "", "forename": child.legal_forename[:-1] + child.legal_forename[-1] * 2,
                    "surname": child.legal_surname,
                    "dob": child.date_of_birth.isoformat() if child.date_of_birth else "", "sex": child.sex})
        services.new_entry_record(actor=None, provider=schools[0], entry_date=today, source=Source.API,
                                  person={"forename": "Nadia", "surname": "Oyelaran", "dob": "2016-02-11", "sex": "F"})
        log(f"{la.name}: {len(PLAN)} deletion returns; leavers {summary.counts}, "
            f"{summary.to_confirm} possible matches to confirm, {summary.referrals_opened} referred")
