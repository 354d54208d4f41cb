"""A compact model (heads on the encoder's vector alone, no neighbours) trained on FoRC4CL: small
enough to ship, exported to one file and imported into another site's taxonomy, where it predicts
exactly as it did where it was trained."""

from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from classifier import versions
from classifier.loading import load_classifier
from classifier.models import ClassifierModel
from jobs.training import labelled_with_vectors
from taxonomy.actions import import_taxonomy
from tests.classifier.test_training import FORC_TRAIN, FORC_VAL, TAXONOMY4CL
from tests.conftest import ARXIV_NODES

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
MOST_BYTES = 1_000_000


def test_a_compact_model_is_small_and_predicts_the_same_once_imported_elsewhere(tmp_path, settings):
    taxonomy = import_taxonomy(TAXONOMY4CL, name="t4cl")
    out, exported = StringIO(), tmp_path / "t4cl-model.joblib"
    call_command(
        "train",
        "--taxonomy",
        "t4cl",
        "--from",
        str(FORC_TRAIN),
        "--compact",
        "--export",
        str(exported),
        stdout=out,
    )
    trained = ClassifierModel.objects.get(taxonomy=taxonomy)
    assert "no text features: a compact model" in out.getvalue()
    assert 0 < exported.stat().st_size < MOST_BYTES
    model = versions.load_model(trained.path)
    assert model.neighbours is None and model.weights.shape[0] == model.node_vectors.shape[1]

    # Another site: its own model folder, and the taxonomy imported there; this one forgets its model.
    settings.CLASSIFIER_MODEL_DIR = tmp_path / "elsewhere"
    taxonomy.delete()
    elsewhere = import_taxonomy(TAXONOMY4CL, name="t4cl")
    call_command("import_model", str(exported), "--taxonomy", "t4cl", "--activate", stdout=StringIO())
    imported = ClassifierModel.objects.get(taxonomy=elsewhere)
    assert imported.is_active and (imported.version, imported.metrics) == (trained.version, trained.metrics)
    assert imported.path.startswith(str(settings.CLASSIFIER_MODEL_DIR))

    data, vectors = labelled_with_vectors(elsewhere, FORC_VAL, progress=lambda message: None)
    here, there = (
        model.probabilities(data.texts, vectors),
        versions.load_model(imported.path).probabilities(data.texts, vectors),
    )
    assert np.array_equal(here, there)
    assert load_classifier(elsewhere).version == imported.version


def test_a_model_of_other_subjects_is_refused(tmp_path):
    import_taxonomy(TAXONOMY4CL, name="t4cl")
    exported = tmp_path / "t4cl-model.joblib"
    call_command(
        "train", "--taxonomy", "t4cl", "--from", str(FORC_TRAIN), "--compact", "--export", str(exported),
        stdout=StringIO(),
    )  # fmt: skip
    import_taxonomy(ARXIV_NODES, name="arxiv")
    with pytest.raises(CommandError, match="subjects are not the 166 of arxiv"):
        call_command("import_model", str(exported), "--taxonomy", "arxiv")
