from django.urls import path

from cme.cases import case_page
from cme.cases.casework import views as cw
from cme.cases.queues import case_list
from cme.cases.register import views

app_name = "cases"
urlpatterns = [
    path("cases", case_list.case_list_view, name="list"),
    path("cases/<int:case_id>", case_page.case_detail_view, name="detail"),
    path("cases/<int:case_id>/notes", case_page.case_note_view, name="note"),
    path("cases/<int:case_id>/stage", views.case_stage_view, name="stage"),
    path("cases/<int:case_id>/officer", views.case_assign_view, name="assign"),
    path("cases/<int:case_id>/close", cw.case_close_view, name="close"),
    path("cases/<int:case_id>/reopen", cw.case_reopen_view, name="reopen"),
    # Case work: enquiries, locating, key worker, needs, approvals, evidence.
    path("cases/<int:case_id>/enquiries/new", cw.enquiry_new_view, name="enquiry-new"),
    path("cases/<int:case_id>/found", cw.found_view, name="found"),
    path("cases/<int:case_id>/moved", cw.moved_view, name="moved"),
    path("cases/<int:case_id>/left-country", cw.left_country_view, name="left-country"),
    path("cases/<int:case_id>/not-found", cw.not_found_view, name="not-found"),
    path("cases/<int:case_id>/provision", cw.provision_view, name="provision"),
    path("cases/<int:case_id>/other-la/<int:referral_id>/accepted", cw.other_la_accepted_view,
         name="other-la-accepted"),
    path("cases/<int:case_id>/key-worker", cw.key_worker_view, name="key-worker"),
    path("cases/<int:case_id>/needs-assessment", cw.needs_assessment_view, name="needs-assessment"),
    path("cases/<int:case_id>/needs-assessment/<int:assessment_id>/decision", cw.needs_decision_view,
         name="needs-decision"),
    path("cases/<int:case_id>/closure/<int:request_id>/decision", cw.closure_decision_view,
         name="closure-decision"),
    path("cases/<int:case_id>/evidence/new", cw.evidence_new_view, name="evidence-new"),
    path("cases/<int:case_id>/evidence/<int:evidence_id>", cw.evidence_view, name="evidence"),
]
