"""What identify tells the rooms below it: how matching reads the authority's referrals for
training, and how the triage page (intake) gets its candidates."""

from cme.matching.engine import Person


def training_referrals(la_id: int) -> list[Person]:
    """The authority's referrals, newest first, as the engine reads them. Screening's referrals
    are about rolled children by construction: they would teach the model that every referral
    is on a roll, so they are left out."""
    from cme.intake.models import Channel, Referral

    rows = Referral.objects.filter(la_id=la_id).exclude(channel=Channel.SCREENING).values_list(
        "pk", "child_upn", "child_forename", "child_surname", "child_date_of_birth", "child_sex",
        "child_postcode", "child_address",
    ).order_by("-received_at")[:20_000]
    return [Person(id=f"r{pk}", upn=upn, forename=fn, surname=sn, dob=dob, sex=sex, postcode=pc, address=addr)
            for pk, upn, fn, sn, dob, sex, pc, addr in rows]


def connect() -> None:
    from cme.intake import hooks as intake_hooks
    from cme.matching import hooks as matching_hooks

    matching_hooks.register_training_referrals(training_referrals)
    intake_hooks.register_identification(_candidates, _decided)


def _candidates(*, user, referral):
    from cme.identify import selectors

    return selectors.referral_matches(user=user, referral=referral)


def _decided(*, referral):
    from cme.identify import selectors

    return selectors.referral_identification(referral=referral)
