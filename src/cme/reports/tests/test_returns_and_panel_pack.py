"""The termly CME and EHE return (validated, then CSV) and the monthly panel pack (a PDF, read
back page by page) — issue 14 point 5. A manager of LA A makes them; A's officer is refused; LA B's
officer gets nothing of A."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from cme.audit.models import AuditEvent
from cme.providers.models import Organisation, OrgKind
from cme.reports.returns import census_day, dfe_return, return_rules
from cme.testing import factories as f

pytestmark = pytest.mark.django_db
YEAR = 2025  # autumn 2025: census Thursday 2 October 2025


@pytest.fixture
def autumn(la_a, officer_a):
    made = []
    for n, (referred, closed, reason) in enumerate([(dt.date(2025, 9, 10), None, "exclusion"),
                                                    (dt.date(2025, 6, 1), None, "moved_unknown"),
                                                    (dt.date(2025, 9, 20), dt.date(2025, 9, 30), "withdrawal"),
                                                    (dt.date(2025, 11, 3), None, "never_started")]):
        child = f.make_child(la_a, legal_surname=f"Pupil{n}", date_of_birth=dt.date(2014, 1, 1 + n))
        case = f.make_case(child, responsible_officer=officer_a, reason=reason)
        case.referred_on, case.closed_on = referred, closed
        if closed:
            case.stage, case.outcome = "closed", "back_in_school"
        case.save()
        made.append(case)
    home = Organisation.objects.create(kind=OrgKind.HOME_EDUCATION, la=la_a, name="Educated at home")
    f.enrol(f.make_child(la_a, legal_surname="Homed"), home, entry=dt.date(2025, 9, 15))
    return made


def test_the_return_counts_at_census_during_term_by_time_and_reason(manager_a, autumn):
    assert census_day("autumn", YEAR, return_rules()) == dt.date(2025, 10, 2)
    made = dfe_return(user=manager_a, term="autumn", academic_year=YEAR)
    assert not made.problems
    assert made.fields["cme_at_census"] == 2  # referred 10 Sep and 1 Jun, still open on 2 Oct
    assert made.fields["cme_during_term"] == 4
    assert made.fields["cme_time_under_4_weeks"] == 1 and made.fields["cme_time_12_to_26_weeks"] == 1
    assert made.fields["cme_reason_permanently_excluded"] == 1
    assert made.fields["ehe_at_census"] == 1 and made.fields["ehe_new_in_term"] == 1


def test_a_return_with_a_problem_is_not_made_and_names_the_case_and_field(client_for, manager_a, autumn):
    case = autumn[0]
    case.reason = ""
    case.save()
    client = client_for(manager_a)
    page = client.get(f"/management/returns?term=autumn&year={YEAR}").text
    assert f"Case {case.reference}, reason: no primary reason" in page
    refused = client.get(f"/management/returns?term=autumn&year={YEAR}&format=csv")
    assert refused.status_code == 302 and not AuditEvent.objects.filter(object_type="dfe_return").exists()


def test_the_csv_is_made_and_recorded(client_for, manager_a, autumn):
    response = client_for(manager_a).get(f"/management/returns?term=autumn&year={YEAR}&format=csv")
    text = response.content.decode("utf-8-sig")
    assert response["Content-Disposition"] == f'attachment; filename="cme-ehe-return-autumn-{YEAR}.csv"'
    assert "cme_at_census,2" in text and "census_date,2025-10-02" in text
    assert AuditEvent.objects.filter(object_type="dfe_return", action="export").count() == 1


def test_the_panel_pack_renders_its_pages_with_the_figures_and_names(client_for, manager_a, autumn):
    response = client_for(manager_a).get("/management/panel-pack?month=2025-11")
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert len(pdf.pages) >= 1
    assert "panel pack, November 2025" in text and "Missing education now" in text
    assert "Cases with a clock overdue" in text and "Leavers not found again" in text
    assert AuditEvent.objects.filter(object_type="panel_pack").exists()


def test_who_may_make_them(client_for, officer_a, officer_b, autumn):
    for client in (client_for(officer_a), client_for(officer_b)):
        assert client.get("/management/returns").status_code == 403
        assert client.get("/management/panel-pack").status_code == 403
