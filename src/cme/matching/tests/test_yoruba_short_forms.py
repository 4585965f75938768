"""Yoruba names that open with "Oluwa" or "Olu" are called by what follows (Oluwatomiwa is Tomi,
Oluwadamilola Dami, Olufemi Femi): the engine weighs the short form as a form of the name, one
way only, so two different Oluwa- names stay two names."""

from datetime import date

import numpy as np

from cme.matching.engine import FN, FN_VARIANT, LEVEL, Index, Matcher, Model, Person, normalise
from cme.matching.names import are_variants, short_forms
from cme.matching.tests.conftest import FILLER


def test_short_forms_are_the_starts_of_the_name_after_oluwa():
    assert short_forms("oluwatomiwa") == ("tomi", "tomiw", "tomiwa")
    assert short_forms("olufemi") == ("femi",)
    assert short_forms("oluchi") == ()  # "chi": too short to tell from a name of its own
    assert short_forms("oliver") == ()


def test_a_short_form_is_a_form_of_the_name_but_two_oluwa_names_are_not_one():
    assert are_variants("tomi", "oluwatomiwa") and are_variants("oluwatomisin", "tomi")
    assert are_variants("dami", "oluwadamilola") and are_variants("seun", "oluwaseun")
    assert not are_variants("oluwatomiwa", "oluwatomisin")
    assert not are_variants("tom", "oluwatomiwa")


def _forename_level(query: str, held: str) -> int:
    record = Person("r", forename=held, surname="Adeyemi", dob=date(2013, 3, 16), sex="M")
    matcher = Matcher(Model(), Index([record, *FILLER]))
    row = np.array([matcher.index.ids.index("r")])
    q = normalise(Person("q", forename=query, surname="Adeyemi", dob=date(2013, 3, 16), sex="M"))
    return int(matcher.score(q, row).levels[0, FN])


def test_the_engine_weighs_a_short_form_as_a_form_of_the_name_both_ways():
    assert _forename_level("Tomi", "Oluwatomiwa") == FN_VARIANT
    assert _forename_level("Oluwatomiwa", "Tomi") == FN_VARIANT
    assert _forename_level("Oluwatomisin", "Oluwatomiwa") != FN_VARIANT
    assert _forename_level("Kemi", "Oluwatomiwa") == LEVEL["forename"]["different"]
