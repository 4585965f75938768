from django.urls import path

from cme.cases import case_page
from cme.cases.casework import views as cw
from cme.cases.queues import case_list
from cme.cases.register import views
from cme.cases.register.concurrency import refuse_if_changed as guarded

app_name = "cases"
urlpatterns = [
    path("cases", case_list.case_list_view, name="list"),
    path("cases/<int:case_id>", case_page.case_detail_view, name="detail"),
    path("cases/<int:case_id>/notes", case_page.case_note_view, name="note"),
    path("cases/<int:case_id>/stage", guarded(views.case_stage_view), name="stage"),
    path("cases/<int:case_id>/officer", guarded(views.case_assign_view), name="assign"),
    path("cases/<int:case_id>/close", guarded(cw.case_close_view), name="close"),
    path("cases/<int:case_id>/reopen", guarded(cw.case_reopen_view), name="reopen"),
    # Case work: enquiries, locating, key worker, needs, approvals, evidence.
    path("cases/<int:case_id>/enquiries/new", guarded(cw.enquiry_new_view), name="enquiry-new"),
    path("cases/<int:case_id>/found", guarded(cw.found_view), name="found"),
    path("cases/<int:case_id>/moved", guarded(cw.moved_view), name="moved"),
    path("cases/<int:case_id>/left-country", guarded(cw.left_country_view), name="left-country"),
    path("cases/<int:case_id>/not-found", guarded(cw.not_found_view), name="not-found"),
    path("cases/<int:case_id>/provision", guarded(cw.provision_view), name="provision"),
    path("cases/<int:case_id>/other-la/<int:referral_id>/accepted", guarded(cw.other_la_accepted_view),
         name="other-la-accepted"),
    path("cases/<int:case_id>/key-worker", guarded(cw.key_worker_view), name="key-worker"),
    path("cases/<int:case_id>/needs-assessment", guarded(cw.needs_assessment_view), name="needs-assessment"),
    path("cases/<int:case_id>/needs-assessment/<int:assessment_id>/decision", guarded(cw.needs_decision_view),
         name="needs-decision"),
    path("cases/<int:case_id>/closure/<int:request_id>/decision", guarded(cw.closure_decision_view),
         name="closure-decision"),
    path("cases/<int:case_id>/evidence/new", guarded(cw.evidence_new_view), name="evidence-new"),
    path("cases/<int:case_id>/evidence/<int:evidence_id>", cw.evidence_view, name="evidence"),
]
