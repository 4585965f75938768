"""`cme matching-train` estimates the weights from the authority's own data and saves a new
versioned model file; the index uses the newest."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cme.matching import adapter
from cme.matching.engine import Model, Person
from cme.matching.tests.rolls import make_rolls


def test_training_saves_a_versioned_model_that_the_index_then_uses(la_a, school_a, settings, tmp_path):
    settings.CME_MATCHING_MODEL_DIR = tmp_path
    make_rolls(la_a, school_a)
    assert adapter.index_for(la_a.pk).model_path == ""  # too few children: the engine's defaults
    out = StringIO()
    call_command("matching-train", "--la", "901", stdout=out)
    files = sorted((tmp_path / "la-901").glob("model-*.json"))
    assert len(files) == 1 and str(files[0]) in out.getvalue()
    model = Model.load(files[0])
    assert model.trained_on["roll_records"] == 11

    call_command("matching-train", "--la", "901", stdout=StringIO())
    newest = sorted((tmp_path / "la-901").glob("model-*.json"))[-1]
    adapter.reset()
    adapter.match(la_id=la_a.pk, person=Person("q", surname="Hartley"))
    assert adapter.index_for(la_a.pk).model_path == str(newest)


def test_an_unknown_la_code_is_refused(db):
    with pytest.raises(CommandError, match="--la: no authority has LA code 999"):
        call_command("matching-train", "--la", "999")
