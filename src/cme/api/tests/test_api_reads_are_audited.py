"""Every read through the API writes an audit event under the token's user, marked as via the API."""

import pytest

from cme.audit.models import AuditEvent


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_every_read_is_audited_as_via_the_api(persona, la_a, case_a, child_a, referral_a, api_for):
    reads = {
        "/api/v1/cases": ("search", "case", ""),
        f"/api/v1/cases/{case_a.pk}": ("view", "case", str(case_a.pk)),
        "/api/v1/children?q=Hartley": ("search", "child", ""),
        f"/api/v1/children/{child_a.pk}": ("view", "child", str(child_a.pk)),
        f"/api/v1/referrals/{referral_a.reference}": ("view", "referral", referral_a.reference),
    }
    in_scope = persona.la_id == la_a.pk
    client = api_for(persona)
    for path, (action, object_type, object_id) in reads.items():
        since = last_event_id()
        response = client.get(path, HTTP_USER_AGENT="police-rms/2.1")
        new = list(AuditEvent.objects.filter(id__gt=since))
        if action == "view" and not in_scope:
            # Out of scope: 404, and no record was read, so there is no view to record; the
            # refused attempt on another authority's record is a security event (issue 9).
            assert response.status_code == 404
            assert [(e.action, e.object_type) for e in new] == [("access_refused", object_type)]
            continue
        assert response.status_code == 200, (path, response.content)
        [event] = new
        assert (event.action, event.object_type, event.object_id) == (action, object_type, object_id)
        assert event.actor_id == persona.pk
        assert event.actor_organisation == persona.organisation.name
        assert event.via == "api"
        assert event.user_agent == "police-rms/2.1"
