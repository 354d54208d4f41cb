"""Train a classifier, score it on the validation split it was tuned on, and register it."""

from collections.abc import Callable
from pathlib import Path

from classifier import versions
from classifier.evaluation import evaluate_validation
from classifier.models import ClassifierModel
from classifier.training.fitting import DEFAULTS, Options
from classifier.training.pipeline import train_from_corpus, train_from_file
from taxonomy.models import Taxonomy


def train_and_register(
    taxonomy: Taxonomy,
    source,
    options: Options = DEFAULTS,
    progress: Callable[[str], None] = print,
    encoder: str = "",
) -> ClassifierModel:
    """Train on a labelled file (a Path) or a corpus, score it on its validation split, register it.

    The new model is not switched on; ``versions.activate`` does that.
    """
    if isinstance(source, Path):
        model, validation, vectors = train_from_file(taxonomy, source, options, progress, encoder)
        trained_on = str(source.resolve())
    else:
        model, validation, vectors = train_from_corpus(taxonomy, source, options, progress, encoder)
        trained_on = f"corpus:{source.name}"
    metrics = evaluate_validation(model, validation, vectors)
    record = versions.save_model(taxonomy, model, trained_on=trained_on, metrics=metrics)
    progress(f"saved {record.version}: validation {metrics}")
    return record
