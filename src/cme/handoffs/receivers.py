"""Leavers with no known destination feed the lost-pupil store; every new entry is matched
against it (movements.signals)."""

from django.dispatch import receiver

from cme.core.batch_cache import for_batch
from cme.movements.signals import leaver_recorded, new_entry_recorded

# Deletion grounds under which the child's whereabouts or education are known (SI 2024/208 reg 9(1)):
# not lost pupils. (b) nursery, (c) at the other school, (d)/(e) school attendance order, (f) home
# education, (j) detained, (k) died, (l) no longer of compulsory school age, (o) excluded (the LA
# provides). A leaver with no ground (a roll import) or under (a), (g), (h), (i), (m), (n)
# without a destination is.
WHEREABOUTS_KNOWN = frozenset("bcdefjklo")


@receiver(leaver_recorded)
def leaver_with_no_destination_is_lost(sender, *, la_id, provider_id, child_id, leaving_date, destination,
                                       source, ground="", **kwargs):
    from cme.handoffs.services import lost_pupil_record

    if destination or child_id is None or (ground or "") in WHEREABOUTS_KNOWN:
        return
    lost_pupil_record(la_id=la_id, child_id=child_id, provider_id=provider_id, leaving_date=leaving_date,
                      source=source)


@receiver(new_entry_recorded)
def new_entry_is_matched_against_lost_pupils(sender, *, la_id, provider_id, child_id, person, entry_date, source,
                                             **kwargs):
    from cme.handoffs.services import lost_pool, lost_pupils_match

    batch = kwargs.get("batch")
    if source == "roll" and batch is None:
        return  # the new entry a roll's joiner became: the joiner was matched when its roll sent it
    # The lost pupils indexed once for all of a roll's joiners.
    pool = for_batch("handoffs.lost_pool", batch, kwargs.get("joiners", 1), lambda: lost_pool(la_id=la_id))
    lost_pupils_match(la_id=la_id, person=person, trigger=source, provider_id=provider_id,
                      entry_date=entry_date, child_id=child_id, pool=pool)


def accepted_through_a_handoff(case) -> bool:
    """A case may close as moved to another LA once that authority's CME Tracker accepted it."""
    from cme.handoffs.models import HandoffStatus, OutgoingHandoff

    return OutgoingHandoff.objects.filter(case=case, status=HandoffStatus.ACCEPTED).exists()


def ctf_for_other_la(case, other_la):
    """The CTF that goes with the e-mail hand-off to an authority with no CME Tracker, where the
    council says its mail to other councils is secure enough for a child's record
    (settings.CME_OTHER_LA_CTF_BY_EMAIL, off by default). Off, the e-mail carries no personal data
    (issue 9) and the CTF goes by School to School, the DfE's secure route for CTFs."""
    from django.conf import settings

    from cme.handoffs.services import case_ctf

    if not getattr(settings, "CME_OTHER_LA_CTF_BY_EMAIL", False):
        return None
    if not (case.la.la_code and other_la.la_code):
        return None  # no LA code to name the file by: the e-mail goes without it
    name, data = case_ctf(case=case, to_la_code=other_la.la_code)
    return name, data, "application/xml"


def connect() -> None:
    from cme.cases.casework.services import add_moved_la_acceptance, add_other_la_attachment

    add_moved_la_acceptance(accepted_through_a_handoff)
    add_other_la_attachment(ctf_for_other_la)
