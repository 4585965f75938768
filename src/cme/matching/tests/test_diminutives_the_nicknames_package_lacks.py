"""Diminutives a blind set's movers were known by at their next school that the `nicknames`
package does not hold (data/name-variants.csv): Albie and Bertie are Albert, Bartek is Bartosz as
well as Bartłomiej, and the two full names stay two names."""

from cme.matching.names import are_variants


def test_albie_alby_and_bertie_are_albert():
    assert are_variants("albie", "albert") and are_variants("alby", "albert") and are_variants("bertie", "albert")


def test_bartek_is_bartosz_and_bartlomiej_but_they_are_two_names():
    assert are_variants("bartek", "bartosz") and are_variants("bartek", "bartlomiej")
    assert not are_variants("bartosz", "bartlomiej")
