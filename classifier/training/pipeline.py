"""Train a classifier for a taxonomy from a labelled file, using cached document vectors."""

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from django.conf import settings

from classifier.encoders.base import Encoder
from classifier.hybrid import HybridModel
from classifier.loading import zero_shot_model
from classifier.training.data import (
    LabelledSet,
    labelled_corpus,
    merged,
    read_labelled_file,
    validation_split,
)
from classifier.training.embeddings import cache_key, cached_vectors
from classifier.training.fitting import DEFAULTS, Options, fit_hybrid
from classifier.zeroshot import document_text
from ingest.parsers import parse_file
from ingest.types import ParsedRecord
from taxonomy.labels import LabelResolver
from taxonomy.models import Taxonomy
from taxonomy.tree import Tree

VALIDATION_FRACTION = 0.1


class NoLabelledDocuments(Exception):
    """None of the sources holds a document with subjects of the taxonomy."""


def file_vectors(path: Path, encoder, progress: Callable[[str], None]) -> np.ndarray:
    """Vectors of every parsed record of the file, in file order, from the on-disk cache."""
    texts = (document_text(r.title, r.abstract) for r in parse_file(path) if isinstance(r, ParsedRecord))
    folder = settings.CLASSIFIER_CACHE_DIR / "embeddings" / cache_key(path, encoder)
    return cached_vectors(texts, encoder, folder, progress=lambda n: progress(f"encoded {n} documents"))


def labelled_with_vectors(
    taxonomy: Taxonomy, path: Path, progress=print, encoder: Encoder | None = None
) -> tuple[LabelledSet, np.ndarray]:
    """The file's labelled records and their vectors from ``encoder`` (default: the configured one)."""
    encoder = encoder or zero_shot_model(taxonomy).encoder
    data, positions = read_labelled_file(path, LabelResolver(Tree.from_taxonomy(taxonomy)))
    vectors = file_vectors(path, encoder, progress)[positions].astype(np.float32)
    return data, vectors


def _fit(
    taxonomy: Taxonomy,
    data: LabelledSet,
    vectors: np.ndarray,
    options: Options,
    progress: Callable[[str], None],
    encoder: str,
) -> tuple[HybridModel, LabelledSet, np.ndarray]:
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


def source_vectors(
    taxonomy: Taxonomy, source, encoder: Encoder, progress: Callable[[str], None]
) -> tuple[LabelledSet, np.ndarray]:
    """The labelled documents of a file (a Path) or of a corpus, with their vectors from ``encoder``."""
    if isinstance(source, Path):
        return labelled_with_vectors(taxonomy, source, progress, encoder)
    return labelled_corpus(source, encoder)


def train_from_sources(
    taxonomy: Taxonomy,
    sources: Sequence,
    options: Options = DEFAULTS,
    progress: Callable[[str], None] = print,
    encoder: str = "",
) -> tuple[HybridModel, LabelledSet, np.ndarray]:
    """Fit a hybrid model on labelled files (Paths) and corpora's librarian-confirmed subjects
    together; returns it with the validation split it was tuned on.

    A document in several sources counts once, with the subjects of the last source that has it.
    """
    vectors_from = zero_shot_model(taxonomy, encoder).encoder
    data, vectors = merged([source_vectors(taxonomy, source, vectors_from, progress) for source in sources])
    if not len(data):
        raise NoLabelledDocuments(f"no document of the sources has subjects of {taxonomy}")
    return _fit(taxonomy, data, vectors, options, progress, encoder)


def train_from_file(
    taxonomy: Taxonomy,
    path: Path,
    options: Options = DEFAULTS,
    progress: Callable[[str], None] = print,
    encoder: str = "",
) -> tuple[HybridModel, LabelledSet, np.ndarray]:
    """Fit a hybrid model on the file; returns it with the validation split it was tuned on."""
    return train_from_sources(taxonomy, [Path(path)], options, progress, encoder)
