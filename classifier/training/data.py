"""Labelled documents for training and evaluation; those of a corpus, read from the database."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from classifier.encoders.base import Encoder


@dataclass
class LabelledSet:
    """Documents with their gold subjects (node codes as given, not closed over ancestors)."""

    ids: list[str]
    titles: list[str]
    texts: list[str]  # title and abstract, as the classifier reads them
    targets: list[set[str]]

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, positions: list[int]) -> "LabelledSet":
        return LabelledSet(
            [self.ids[i] for i in positions],
            [self.titles[i] for i in positions],
            [self.texts[i] for i in positions],
            [self.targets[i] for i in positions],
        )


def labelled_corpus(
    corpus, encoder: Encoder, progress: Callable[[str], None] = lambda _: None
) -> tuple[LabelledSet, np.ndarray]:
    """Documents of a corpus with subjects librarians confirmed (gave, or accepted from the model:
    ``decisions.confirmed``), and their vectors from ``encoder``: the stored ones where that
    encoder made them from the document as it is, else encoded now. The texts are what
    classification reads of them. ``progress`` hears how many decisions it takes and leaves out."""
    from classifier.chunking import DocumentText
    from classifier.decisions import confirmed, learnt
    from classifier.vectors import document_vectors
    from library.models import Classification, Document

    subjects: dict[int, set[str]] = {}
    in_corpus = Classification.objects.filter(document__corpus=corpus)
    progress(f"corpus:{corpus.name} {learnt(in_corpus)}")
    rows = confirmed(in_corpus)
    for document_id, code in rows.values_list("document_id", "node__code"):
        subjects.setdefault(document_id, set()).add(code)
    documents = list(Document.objects.filter(id__in=list(subjects)).order_by("id"))
    if not documents:
        return LabelledSet([], [], [], []), np.zeros((0, encoder.dimensions), np.float32)
    vectors, _ = document_vectors(encoder, documents)
    data = LabelledSet(
        [d.external_id for d in documents],
        [d.title for d in documents],
        [DocumentText(d.title, d.abstract, d.full_text).text for d in documents],
        [subjects[d.id] for d in documents],
    )
    return data, vectors


def merged(parts: list[tuple[LabelledSet, np.ndarray]]) -> tuple[LabelledSet, np.ndarray]:
    """The documents of every part with their vectors; of documents with the same id in several
    parts, the last part's is kept (a librarian's word on a paper over the file it came from)."""
    last = {
        external_id: (part, row)
        for part, (data, _) in enumerate(parts)
        for row, external_id in enumerate(data.ids)
    }
    data, vectors = LabelledSet([], [], [], []), []
    for part, row in last.values():
        source, source_vectors = parts[part]
        data.ids.append(source.ids[row])
        data.titles.append(source.titles[row])
        data.texts.append(source.texts[row])
        data.targets.append(source.targets[row])
        vectors.append(source_vectors[row])
    return data, np.stack(vectors).astype(np.float32) if vectors else np.zeros((0, 0), np.float32)


def validation_split(ids: list[str], fraction: float) -> tuple[list[int], list[int]]:
    """Split positions into train and validation by a hash of the id: stable across runs and files."""
    train, validation = [], []
    for position, external_id in enumerate(ids):
        bucket = int(hashlib.sha256(external_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        (validation if bucket < fraction else train).append(position)
    return train, validation
