"""`manage.py models` says what each model's figures are: on which data, in which space, over how many
documents, and when it was trained; models saved before the figures said so read as unknown there."""

from io import StringIO

import pytest
from django.core.management import call_command

from classifier.figures import ValidationFigures
from classifier.models import ClassifierModel

pytestmark = pytest.mark.django_db

# What ``evaluate_validation`` stores for a model of a taxonomy whose gold subjects are leaves.
METRICS = {
    "data": "validation split of arxiv-2025-train.jsonl.gz: the 10% of its documents chosen by a hash "
    "of their ids, held out from training the heads (the calibration and thresholds are fitted on it)",
    "documents": 5687,
    "space": "leaves",
    "figures": {
        "leaves": {"precision_at_1": 0.8831, "micro_f1": 0.7072, "macro_f1": 0.4011, "ece": 0.0641},
        "closure": {"precision_at_1": 0.9143, "micro_f1": 0.8054, "macro_f1": 0.5, "ece": 0.0641},
    },
    "reliability": [[0.05, 0.03, 20000], [0.45, 0.41, 1200], [0.85, 0.8, 400]],
    "assign_threshold": 0.3,
    "assign_rare_threshold": 0.15,
    "accept_threshold": 0.9,
}
# What it stored before the figures said what they are.
OLD_METRICS = {"documents": 5687, "precision_at_1": 0.914, "micro_f1": 0.805, "macro_f1": 0.4, "ece": 0.05}


def models_output(**options) -> list[str]:
    out = StringIO()
    call_command("models", stdout=out, **options)
    return out.getvalue().splitlines()


def test_each_model_is_listed_with_its_data_space_documents_and_training_date(arxiv_taxonomy):
    ClassifierModel.objects.create(
        taxonomy=arxiv_taxonomy, version="hybrid/arxiv@1/old", kind="hybrid", path="x", metrics=OLD_METRICS
    )
    trained = ClassifierModel.objects.create(
        taxonomy=arxiv_taxonomy,
        version="hybrid/arxiv@1/new",
        kind="hybrid",
        path="x",
        trained_on="/data/arxiv-2025-train.jsonl.gz",
        metrics=METRICS,
        is_active=True,
    )
    lines = models_output(taxonomy="arxiv")
    assert lines[:5] == [
        f"* hybrid/arxiv@1/new (active: classifies new documents of {arxiv_taxonomy})",
        f"    trained {trained.created:%Y-%m-%d %H:%M} UTC on /data/arxiv-2025-train.jsonl.gz",
        f"    validation: {METRICS['data']}; 5,687 documents",
        "    on leaves: P@1 0.883, micro-F1 0.707, macro-F1 0.401, ECE 0.064",
        "    with ancestors: P@1 0.914, micro-F1 0.805, macro-F1 0.500, ECE 0.064",
    ]
    assert lines[5:] == [
        "  hybrid/arxiv@1/old (not active)",
        lines[6],
        "    validation: data unknown; 5,687 documents",
        "    space unknown: P@1 0.914, micro-F1 0.805, macro-F1 0.400, ECE 0.050",
    ], "a model saved before the figures said what they are still lists, its unknowns said"
    assert lines[6].endswith(" UTC on unknown sources")


def test_a_taxonomy_without_an_active_model_says_it_classifies_zero_shot(arxiv_taxonomy):
    assert models_output() == [
        f"  {arxiv_taxonomy}: no active trained model; it classifies zero-shot, an untrained model: its "
        "scores are cosine similarities, not probabilities, and it has no validation figures"
    ]


def test_stored_figures_read_back_headline_first_with_their_bins():
    figures = ValidationFigures.of(METRICS)
    assert [space.space for space in figures.spaces] == ["leaves", "closure"]
    assert figures.ece == 0.0641 and figures.reliability[-1] == (0.85, 0.8, 400)
    empty = ValidationFigures.of({})
    assert empty.spaces == [] and empty.ece is None and empty.data_text == "data unknown; unknown documents"
