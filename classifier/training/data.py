"""Labelled documents for training and evaluation, read from files or from the database."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifier.zeroshot import document_text
from ingest.parsers import parse_file
from ingest.types import ParsedRecord
from taxonomy.labels import LabelResolver


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


def labelled_corpus(corpus) -> tuple[LabelledSet, np.ndarray]:
    """Documents of a corpus with accepted librarian subjects, and their stored vectors."""
    from classifier.models import Classification, DocumentEmbedding

    subjects: dict[int, set[str]] = {}
    confirmed = Classification.objects.filter(
        document__corpus=corpus, source=Classification.Source.LIBRARIAN, status=Classification.Status.ACCEPTED
    ).values_list("document_id", "node__code")
    for document_id, code in confirmed:
        subjects.setdefault(document_id, set()).add(code)
    embeddings = DocumentEmbedding.objects.filter(document_id__in=list(subjects)).select_related("document")
    data, vectors = LabelledSet([], [], [], []), []
    for embedding in embeddings.iterator():
        document = embedding.document
        data.ids.append(document.external_id)
        data.titles.append(document.title)
        data.texts.append(document_text(document.title, document.abstract))
        data.targets.append(subjects[document.id])
        vectors.append(np.frombuffer(embedding.vector, dtype=np.float32))
    return data, np.array(vectors, dtype=np.float32).reshape(len(vectors), -1)


def validation_split(ids: list[str], fraction: float) -> tuple[list[int], list[int]]:
    """Split positions into train and validation by a hash of the id: stable across runs and files."""
    train, validation = [], []
    for position, external_id in enumerate(ids):
        bucket = int(hashlib.sha256(external_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        (validation if bucket < fraction else train).append(position)
    return train, validation
