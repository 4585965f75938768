"""A UPN that agrees is strong evidence; a temporary UPN (last character a letter) is not."""

from datetime import date

from cme.matching.engine import Person
from cme.matching.tests.conftest import best


def _upn_evidence(candidate):
    return next(e for e in candidate.evidence if e.field == "upn")


def test_permanent_upn_agreeing_outweighs_a_wrong_name_and_date(matcher):
    candidate = best(matcher, upn="A901200114001", forename="Billy", surname="Hartly", dob=date(2015, 3, 12))
    assert candidate.id == "william"
    assert candidate.probability > 0.99
    evidence = _upn_evidence(candidate)
    # Strong, but never proof: a UPN given is now and then a brother's or sister's (UPN_MAX_WEIGHT).
    assert evidence.outcome == "agrees" and evidence.weight >= 13


def test_sibling_upn_given_for_the_child_does_not_link_the_sibling():
    from cme.matching.engine import Index, Matcher, Model
    from cme.matching.tests.conftest import FILLER, ROLL

    home = dict(surname="Hartley", postcode="NM1 2AB", address="12 High Street, Northmoor")
    sister = Person("sister", forename="Grace", dob=date(2011, 8, 30), sex="F", upn="H901200114002", **home)
    matcher = Matcher(Model(), Index([*ROLL, *FILLER, sister]))
    # A referral about William, carrying his sister's UPN (typed from the wrong record).
    found = matcher.match(Person("r", upn="H901200114002", forename="William", dob=date(2014, 3, 12), **home), limit=3)
    assert found[0].id == "william"
    assert all(c.probability < 0.5 for c in found if c.id == "sister")


def test_temporary_upn_agreeing_is_only_a_hint(matcher):
    referral = Person("r", upn="A90120011400B", forename="Sophie", surname="Brown", dob=date(2009, 4, 4))
    temp = next(c for c in matcher.match(referral, limit=50) if c.id == "temp")
    evidence = _upn_evidence(temp)
    assert evidence.level == "same_temporary" and 0 < evidence.weight <= 4
    assert temp.probability < 0.5


def test_temporary_upn_is_not_counted_against_a_permanent_one(matcher):
    candidate = best(matcher, upn="A90120011499C", forename="William", surname="Hartley", dob=date(2014, 3, 12))
    assert candidate.id == "william"
    assert _upn_evidence(candidate).outcome == "missing"
