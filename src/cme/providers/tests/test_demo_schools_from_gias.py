"""The demo's schools carry what the shipped GIAS extract says of them."""

from django.core.management import call_command

from cme.providers.models import Organisation, OrgKind, Status


def test_demo_loads_the_gias_extract_over_its_schools(db, settings):
    settings.CME_DEMO = True
    call_command("demo-data", scale=50, cases=12, verbosity=0)
    schools = Organisation.objects.filter(kind=OrgKind.SCHOOL, la__la_code="901")
    assert schools.filter(from_gias=True).count() == schools.count()
    assert not schools.filter(type_of_establishment="").exists()
    assert Organisation.objects.get(urn="140950").status == Status.CLOSED
    assert Organisation.objects.filter(kind=OrgKind.FE_COLLEGE, la__la_code="901").count() == 1
