"""Evaluate the classifier on a labelled file without storing anything."""

from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from classifier.loading import load_classifier
from classifier.metrics import Scores, score_predictions
from classifier.zeroshot import document_text
from ingest.parsers import parse_file
from ingest.types import ParsedRecord
from taxonomy.models import Taxonomy

LABEL_FIELD = "categories"


def labelled_records(
    path: Path, known_codes: set[str], limit: int | None = None
) -> Iterator[tuple[ParsedRecord, set[str]]]:
    """Records of the file with their gold codes (those the taxonomy knows); unlabelled ones are skipped."""
    records = (r for r in parse_file(path) if isinstance(r, ParsedRecord))
    labelled = ((r, set(r.metadata.get(LABEL_FIELD) or ()) & known_codes) for r in records)
    return islice(((r, gold) for r, gold in labelled if gold), limit)


def evaluate_file(taxonomy: Taxonomy, path: Path, limit: int | None = None, batch_size: int = 64) -> Scores:
    """P@1 and micro-F1 of the leaf predictions against the file's labels."""
    classifier = load_classifier(taxonomy)
    known = set(classifier.model.tree.leaves)
    predicted: list[list[str]] = []
    gold: list[set[str]] = []
    batch: list[tuple[ParsedRecord, set[str]]] = []
    for item in labelled_records(path, known, limit):
        batch.append(item)
        if len(batch) == batch_size:
            predicted += _predict(classifier, batch)
            gold += [g for _, g in batch]
            batch = []
    if batch:
        predicted += _predict(classifier, batch)
        gold += [g for _, g in batch]
    return score_predictions(predicted, gold)


def _predict(classifier, batch: list[tuple[ParsedRecord, set[str]]]) -> list[list[str]]:
    vectors = classifier.encoder.encode([document_text(r.title, r.abstract) for r, _ in batch])
    return [[p.code for p in ps if p.is_leaf] for ps in classifier.model.predict(vectors)]
