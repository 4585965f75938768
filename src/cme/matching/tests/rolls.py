"""A small authority for the matching tests: pupils on a school's roll, a child on the
home-education list, a child only on the register, and look-alikes so that agreement means
something."""

from datetime import date

from cme.people.models import Address
from cme.providers.models import OrgKind
from cme.testing import factories as f


def make_rolls(la, school) -> dict:
    home = f.make_school(la, "Educated at home (Northmoor)", kind=OrgKind.HOME_EDUCATION)
    william = f.make_child(la, legal_forename="William", legal_surname="Hartley", sex="M",
                           date_of_birth=date(2014, 12, 3), upn=f.make_upn(la.la_code))
    Address.objects.create(child=william, line1="12 High Street", town="Northmoor", postcode="NM1 2AB")
    f.enrol(william, school, upn=william.upn)
    elizabeth = f.make_child(la, legal_forename="Elizabeth", legal_surname="Okafor", sex="F",
                             date_of_birth=date(2013, 7, 1))
    f.enrol(elizabeth, home)
    grace = f.make_child(la, legal_forename="Grace", legal_surname="Penrose", sex="F",
                         date_of_birth=date(2012, 2, 2))
    others = []
    for i, (fn, sn) in enumerate([("Jack", "Brown"), ("Emily", "Patel"), ("Harry", "Walker"), ("Sophie", "Khan"),
                                  ("George", "Evans"), ("Ava", "Hughes"), ("Noah", "Wood"), ("Isla", "Green")]):
        other = f.make_child(la, legal_forename=fn, legal_surname=sn, sex="MF"[i % 2],
                             date_of_birth=date(2012 + i % 4, 1 + i, 10 + i))
        f.enrol(other, school)
        others.append(other)
    return {"william": william, "elizabeth": elizabeth, "grace": grace, "home": home, "others": others}
