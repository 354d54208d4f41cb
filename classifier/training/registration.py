"""Score a freshly trained classifier on the validation split it was tuned on, and register it."""

from collections.abc import Callable

import numpy as np

from classifier import versions
from classifier.evaluation import evaluate_validation
from classifier.figures import ValidationFigures
from classifier.hybrid import HybridModel
from classifier.models import ClassifierModel
from classifier.training.data import LabelledSet
from taxonomy.models import Taxonomy


def register(
    taxonomy: Taxonomy,
    model: HybridModel,
    validation: LabelledSet,
    vectors: np.ndarray,
    trained_on: str,
    progress: Callable[[str], None] = print,
) -> ClassifierModel:
    """Save the model with its validation figures. It is not switched on; ``versions.activate`` does that."""
    metrics = evaluate_validation(model, validation, vectors, trained_on)
    record = versions.save_model(taxonomy, model, trained_on=trained_on, metrics=metrics)
    figures = ValidationFigures.of(metrics)
    progress(f"saved {record.version}: {figures.data_text}; " + "; ".join(map(str, figures.spaces)))
    return record
