"""Forename forms the name lists get wrong, found by a blind set's movers and twins: diminutives
the `nicknames` package lacks (data/name-variants.csv: Albie and Bertie are Albert, Bartek is
Bartosz as well as Bartłomiej), and names the lists join that are two names given in their own
right, to twins among others (data/distinct-names.csv: Emma and Emily, Emilia and Amelia)."""

from cme.matching.names import are_variants


def test_albie_alby_and_bertie_are_albert():
    assert are_variants("albie", "albert") and are_variants("alby", "albert") and are_variants("bertie", "albert")


def test_bartek_is_bartosz_and_bartlomiej_but_they_are_two_names():
    assert are_variants("bartek", "bartosz") and are_variants("bartek", "bartlomiej")
    assert not are_variants("bartosz", "bartlomiej")


def test_emma_and_emily_are_two_names_each_with_its_own_forms():
    assert not are_variants("emma", "emily")
    assert are_variants("emma", "emmy") and are_variants("emily", "emilie") and are_variants("emily", "em")


def test_emilia_and_amelia_are_two_names_each_with_its_own_forms():
    assert not are_variants("emilia", "amelia")
    assert are_variants("emilia", "emily") and are_variants("amelia", "millie")
