"""Train a classifier for a taxonomy from labelled documents and their vectors, whatever their source."""

from collections.abc import Callable

import numpy as np

from classifier.encoders.base import Encoder
from classifier.hybrid import HybridModel
from classifier.loading import zero_shot_model
from classifier.training.data import LabelledSet, merged, validation_split
from classifier.training.fitting import DEFAULTS, Options, fit_hybrid
from taxonomy.models import Taxonomy
from taxonomy.tree import Tree

VALIDATION_FRACTION = 0.1


class NoLabelledDocuments(Exception):
    """None of the sources holds a document with subjects of the taxonomy."""


def training_encoder(taxonomy: Taxonomy, encoder: str = "") -> Encoder:
    """The encoder whose vectors a model for the taxonomy is trained on (default: the configured one)."""
    return zero_shot_model(taxonomy, encoder).encoder


def train_on(
    taxonomy: Taxonomy,
    parts: list[tuple[LabelledSet, np.ndarray]],
    options: Options = DEFAULTS,
    progress: Callable[[str], None] = print,
    encoder: str = "",
) -> tuple[HybridModel, LabelledSet, np.ndarray]:
    """Fit a hybrid model on the labelled documents of every part together; returns it with the
    validation split it was tuned on.

    A document in several parts counts once, with the subjects of the last part that has it.
    """
    data, vectors = merged(parts)
    if not len(data):
        raise NoLabelledDocuments(f"no document of the sources has subjects of {taxonomy}")
    train, validation = validation_split(data.ids, VALIDATION_FRACTION)
    progress(f"{len(train)} training and {len(validation)} validation documents")
    model = fit_hybrid(
        Tree.from_taxonomy(taxonomy),
        zero_shot_model(taxonomy, encoder).model.node_vectors,
        data.subset(train),
        vectors[train],
        data.subset(validation),
        vectors[validation],
        options,
        progress,
    )
    model.encoder = encoder
    return model, data.subset(validation), vectors[validation]
