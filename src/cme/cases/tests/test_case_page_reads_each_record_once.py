"""The case page fetches each kind of case-work record once and derives its clocks from them:
the same facts and sections as the per-list queries give."""

from datetime import timedelta

from django.db.models import prefetch_related_objects
from django.utils import timezone

from cme.cases.case_page import case_timeline
from cme.cases.casework import services
from cme.cases.casework.selectors import enquiry_checklist
from cme.cases.queues import selectors as queue_selectors
from cme.cases.queues.selectors import case_facts
from cme.cases.register.selectors import case_records_load
from cme.people.services import child_flag_add


def test_facts_from_the_page_records_match_the_queries(case_a, officer_a):
    today = timezone.localdate()
    child_flag_add(actor=officer_a, child=case_a.child, flag="looked_after", started_on=today - timedelta(days=3))
    services.enquiry_record(actor=officer_a, case=case_a, kind="home_visit", made_on=today - timedelta(days=2),
                            officer=officer_a, outcome="No answer")
    services.enquiry_record(actor=officer_a, case=case_a, kind="phone", made_on=today - timedelta(days=1),
                            officer=officer_a, outcome="Spoke to the parent")
    queried = case_facts([case_a])[case_a.pk]
    timeline_before = [i["title"] for i in case_timeline(case=case_a)]
    checklist_before = [(c.kind, len(c.enquiries)) for c in enquiry_checklist(case=case_a)]

    case_records_load(case_a)
    assert case_facts([case_a])[case_a.pk] == queried
    assert [i["title"] for i in case_timeline(case=case_a)] == timeline_before
    assert [(c.kind, len(c.enquiries)) for c in enquiry_checklist(case=case_a)] == checklist_before


def test_once_loaded_the_sections_and_clocks_ask_nothing_more(case_a, officer_a, django_assert_num_queries):
    # A renamed attribute once made every reader miss the loaded records and query again.
    services.enquiry_record(actor=officer_a, case=case_a, kind="phone", made_on=timezone.localdate(),
                            officer=officer_a, outcome="Spoke to the parent")
    case_records_load(case_a)
    prefetch_related_objects([case_a.child], "flags")  # as the case page does; the clocks read them
    with django_assert_num_queries(0):
        enquiry_checklist(case=case_a)
    # The clocks' facts: nothing of their own, one query for each other room's events (places).
    with django_assert_num_queries(len(queue_selectors._event_sources)):
        case_facts([case_a])
    with django_assert_num_queries(1):  # the case's field history, which is not one of the records
        case_timeline(case=case_a)
