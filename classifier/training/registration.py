"""Train a classifier, score it on the validation split it was tuned on, and register it."""

from collections.abc import Callable, Sequence
from pathlib import Path

from classifier import versions
from classifier.evaluation import evaluate_validation
from classifier.models import ClassifierModel
from classifier.training.fitting import DEFAULTS, Options
from classifier.training.pipeline import train_from_sources
from taxonomy.models import Taxonomy


def train_and_register(
    taxonomy: Taxonomy,
    sources: Sequence,
    options: Options = DEFAULTS,
    progress: Callable[[str], None] = print,
    encoder: str = "",
) -> ClassifierModel:
    """Train on labelled files (Paths) and corpora together, score the model on its validation split,
    register it.

    The new model is not switched on; ``versions.activate`` does that.
    """
    model, validation, vectors = train_from_sources(taxonomy, sources, options, progress, encoder)
    metrics = evaluate_validation(model, validation, vectors)
    record = versions.save_model(taxonomy, model, trained_on=source_names(sources), metrics=metrics)
    progress(f"saved {record.version}: validation {metrics}")
    return record


def source_names(sources: Sequence) -> str:
    """What a model was trained on: paths and ``corpus:NAME``s joined by `` + `` (a lone file's path
    is where ``evaluate`` trains its baseline)."""
    return " + ".join(str(s.resolve()) if isinstance(s, Path) else f"corpus:{s.name}" for s in sources)
