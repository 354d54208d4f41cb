"""Training and evaluation from labelled files and corpora: ``ingest`` reads the files, ``classifier``
fits, scores and registers the model."""

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
from django.conf import settings

from classifier.encoders.base import Encoder
from classifier.evaluation import Evaluation, evaluate
from classifier.hybrid import HybridModel
from classifier.loading import LoadedClassifier
from classifier.models import ClassifierModel
from classifier.training.data import LabelledSet, labelled_corpus
from classifier.training.embeddings import cache_key, cached_vectors
from classifier.training.fitting import DEFAULTS, Options
from classifier.training.pipeline import train_on, training_encoder
from classifier.training.registration import register
from classifier.zeroshot import document_text
from ingest.parsers import parse_file
from ingest.types import ParsedRecord
from library.models import Corpus
from taxonomy.labels import LabelResolver
from taxonomy.models import Taxonomy
from taxonomy.tree import Tree

Source = Path | Corpus  # a labelled file, or a corpus's librarian-confirmed subjects


def source_of(taxonomy: Taxonomy, name: str) -> Source:
    """A labelled file by its path, or the corpus named by ``corpus:NAME``; ValueError if there is none."""
    if name.startswith("corpus:"):
        corpus = Corpus.objects.filter(name=name.removeprefix("corpus:"), taxonomy=taxonomy).first()
        if corpus is None:
            raise ValueError(f"no corpus {name.removeprefix('corpus:')!r} classified with {taxonomy}")
        return corpus
    path = Path(name)
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    return path


def read_labelled_file(path: Path, resolver: LabelResolver) -> tuple[LabelledSet, list[int]]:
    """Records of a labelled file whose labels name known nodes, and their positions in the file.

    The positions index the file's parsed records, so cached vectors of the whole file line up.
    """
    data = LabelledSet([], [], [], [])
    positions: list[int] = []
    records = (r for r in parse_file(Path(path)) if isinstance(r, ParsedRecord))
    for position, record in enumerate(records):
        codes = {code for label in record.labels if (code := resolver.resolve(label))}
        if codes:
            data.ids.append(record.external_id)
            data.titles.append(record.title)
            data.texts.append(document_text(record.title, record.abstract))
            data.targets.append(codes)
            positions.append(position)
    return data, positions


def file_texts(path: Path) -> Iterator[str]:
    """What the encoder reads of every parsed record of the file, in file order."""
    return (document_text(r.title, r.abstract) for r in parse_file(path) if isinstance(r, ParsedRecord))


def file_vectors(path: Path, encoder: Encoder, progress: Callable[[str], None]) -> np.ndarray:
    """Vectors of every parsed record of the file, in file order, from the on-disk cache."""
    folder = settings.CLASSIFIER_CACHE_DIR / "embeddings" / cache_key(path, encoder)
    return cached_vectors(
        file_texts(path), encoder, folder, progress=lambda n: progress(f"encoded {n} documents")
    )


def labelled_with_vectors(
    taxonomy: Taxonomy, path: Path, progress=print, encoder: Encoder | None = None
) -> tuple[LabelledSet, np.ndarray]:
    """The file's labelled records and their vectors from ``encoder`` (default: the configured one)."""
    encoder = encoder or training_encoder(taxonomy)
    data, positions = read_labelled_file(path, LabelResolver(Tree.from_taxonomy(taxonomy)))
    vectors = file_vectors(path, encoder, progress)[positions].astype(np.float32)
    return data, vectors


def source_vectors(
    taxonomy: Taxonomy, source: Source, encoder: Encoder, progress: Callable[[str], None]
) -> tuple[LabelledSet, np.ndarray]:
    """The labelled documents of a file or of a corpus, with their vectors from ``encoder``."""
    if isinstance(source, Path):
        return labelled_with_vectors(taxonomy, source, progress, encoder)
    return labelled_corpus(source, encoder, progress)


def train_from_sources(
    taxonomy: Taxonomy,
    sources: Sequence[Source],
    options: Options = DEFAULTS,
    progress: Callable[[str], None] = print,
    encoder: str = "",
) -> tuple[HybridModel, LabelledSet, np.ndarray]:
    """Fit a hybrid model on labelled files and corpora's librarian-confirmed subjects together;
    returns it with the validation split it was tuned on.

    A document in several sources counts once, with the subjects of the last source that has it.
    """
    vectors_from = training_encoder(taxonomy, encoder)
    parts = [source_vectors(taxonomy, source, vectors_from, progress) for source in sources]
    return train_on(taxonomy, parts, options, progress, encoder)


def train_from_file(
    taxonomy: Taxonomy,
    path: Path,
    options: Options = DEFAULTS,
    progress: Callable[[str], None] = print,
    encoder: str = "",
) -> tuple[HybridModel, LabelledSet, np.ndarray]:
    """Fit a hybrid model on the file; returns it with the validation split it was tuned on."""
    return train_from_sources(taxonomy, [Path(path)], options, progress, encoder)


def train_and_register(
    taxonomy: Taxonomy,
    sources: Sequence[Source],
    options: Options = DEFAULTS,
    progress: Callable[[str], None] = print,
    encoder: str = "",
) -> ClassifierModel:
    """Train on labelled files and corpora together, score the model on its validation split,
    register it; the new model is not switched on (``versions.activate`` does that)."""
    model, validation, vectors = train_from_sources(taxonomy, sources, options, progress, encoder)
    return register(taxonomy, model, validation, vectors, source_names(sources), progress)


def source_names(sources: Sequence[Source]) -> str:
    """What a model was trained on: paths and ``corpus:NAME``s joined by `` + `` (a lone file's path
    is where ``evaluate`` trains its baseline)."""
    return " + ".join(str(s.resolve()) if isinstance(s, Path) else f"corpus:{s.name}" for s in sources)


def evaluate_file(
    taxonomy: Taxonomy, classifier: LoadedClassifier, path: Path, baseline_train: Path | None = None
) -> Evaluation:
    """Score the classifier on the labelled file; fit and score the baseline when given its training file."""
    data, vectors = labelled_with_vectors(taxonomy, Path(path), encoder=classifier.encoder)
    baseline = None
    if baseline_train is not None:
        baseline, _ = read_labelled_file(Path(baseline_train), LabelResolver(Tree.from_taxonomy(taxonomy)))
    return evaluate(taxonomy, classifier, Path(path).name, data, vectors, baseline)
