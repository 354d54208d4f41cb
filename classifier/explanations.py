"""Why a document has a subject, in evidence a librarian can check: the document's sentences
that speak most for the subject under the active model, the training documents whose vote counted,
and already-labelled documents like it."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from classifier.hybrid import HybridModel
from classifier.loading import LoadedClassifier, load_classifier
from classifier.neighbours import Voter
from library.models import Classification, Document, DocumentEmbedding
from taxonomy.models import Node

SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[\"'$\\])")  # not before a digit: "Fig. 2"
MIN_WORDS = 3  # shorter abstract fragments ("See Fig. 2.") say nothing about a subject
TOP_SENTENCES = 3
NEIGHBOURS = 3
CANDIDATES = 5000  # the most recent labelled documents searched for neighbours


@dataclass(frozen=True)
class ScoredSentence:
    text: str  # as it stands in the title or abstract
    score: float


@dataclass(frozen=True)
class Neighbour:
    """A document that carries the subject as an accepted one, and its cosine to the explained one."""

    id: int
    external_id: str
    title: str
    similarity: float


@dataclass(frozen=True)
class Explanation:
    code: str
    label: str
    model_version: str
    measure: str  # what a sentence's score is: "margin" of a trained head or "cosine" to the subject
    sentences: list[ScoredSentence]
    voters: list[Voter]  # the trained model's nearest training documents that carry the subject
    neighbours: list[Neighbour]


def split_sentences(title: str, abstract: str) -> list[str]:
    """The title, then the abstract's sentences (a punctuation split, good enough for evidence)."""
    parts = [title.strip(), *(s.strip() for s in SENTENCE_BREAK.split(abstract.strip()))]
    kept = [parts[0], *(s for s in parts[1:] if len(s.split()) >= MIN_WORDS)]
    return [s for s in dict.fromkeys(kept) if s]


def scored_sentences(title: str, abstract: str) -> list[str]:
    """The sentences an explanation scores: the title, then the abstract's, from its first
    ``CLASSIFIER_EXPLAIN_MAX_CHARS`` characters and ``CLASSIFIER_EXPLAIN_MAX_SENTENCES`` sentences
    in all, so that a page explains a document of any length in the same short time."""
    sentences = split_sentences(title, abstract[: settings.CLASSIFIER_EXPLAIN_MAX_CHARS])
    return sentences[: settings.CLASSIFIER_EXPLAIN_MAX_SENTENCES]


def hybrid_margins(model: HybridModel, texts: Sequence[str], vectors: np.ndarray, index: int) -> np.ndarray:
    """The linear head's margin of code ``index`` for each text, on the features the model scores."""
    return model.margins(texts, vectors)[:, index]


def sentence_scores(
    classifier: LoadedClassifier, code: str, texts: Sequence[str], vectors: np.ndarray
) -> tuple[np.ndarray, str]:
    """How much each text alone speaks for ``code``, as the model scores it, and the measure's name.

    A trained head gives its margin; a subject without one (and the zero-shot model) gives the
    cosine the model compares, which for a zero-shot branch is its best leaf's or its own.
    """
    model = classifier.model
    index = model.codes.index(code)
    if isinstance(model, HybridModel):
        if model.trained[index]:
            return hybrid_margins(model, texts, vectors, index), "margin"
        return vectors @ model.node_vectors[index], "cosine"
    return model.similarities(vectors)[:, index], "cosine"


def stored_vector(document: Document) -> np.ndarray | None:
    """The document's vector as it was classified, if it has been."""
    own = DocumentEmbedding.objects.filter(document=document).values_list("vector", flat=True).first()
    return None if own is None else np.frombuffer(own, dtype=np.float32)


def training_voters(classifier: LoadedClassifier, code: str, vector: np.ndarray | None) -> list[Voter]:
    """The training documents whose vote counted for ``code``: none without a trained model that keeps
    its neighbours, or without the document's vector."""
    model = classifier.model
    if vector is None or not isinstance(model, HybridModel) or model.neighbours is None:
        return []
    return model.neighbours.voters(vector, model.codes.index(code))[:NEIGHBOURS]


def labelled_neighbours(
    document: Document, node: Node, own: np.ndarray | None, k: int = NEIGHBOURS
) -> list[Neighbour]:
    """The ``k`` documents nearest to ``own`` (the document's stored vector) among the most recent that
    carry ``node`` as an accepted subject (a librarian's, or the model's once accepted), the document
    itself aside."""
    if own is None:
        return []
    labelled = Classification.objects.filter(node=node, status=Classification.Status.ACCEPTED)
    candidates = list(
        DocumentEmbedding.objects.filter(document_id__in=labelled.values("document_id"))
        .exclude(document=document)
        .order_by("-document_id")
        .values_list("document_id", "vector")[:CANDIDATES]
    )
    if not candidates:
        return []
    matrix = np.stack([np.frombuffer(vector, dtype=np.float32) for _, vector in candidates])
    similarities = matrix @ own
    best = np.argsort(-similarities)[:k]
    ids = [candidates[i][0] for i in best]
    details = Document.objects.only("external_id", "title").in_bulk(ids)
    return [
        Neighbour(i, details[i].external_id, details[i].title, float(similarities[position]))
        for i, position in zip(ids, best)
    ]


def explain(document: Document, codes: Sequence[str]) -> list[Explanation]:
    """Evidence for the document's subjects at these node codes, in their order (codes its
    taxonomy lacks are left out); the document's sentences are encoded once for all of them."""
    nodes = Node.objects.filter(taxonomy_id=document.corpus.taxonomy_id, code__in=codes)
    found = {node.code: node for node in nodes}
    nodes = [found[code] for code in dict.fromkeys(codes) if code in found]
    if not nodes:
        return []
    classifier = load_classifier(document.corpus.taxonomy)
    texts = scored_sentences(document.title, document.abstract)
    vectors = classifier.encoder.encode(texts)
    own = stored_vector(document)
    explanations = []
    for node in nodes:
        scores, measure = sentence_scores(classifier, node.code, texts, vectors)
        top = np.argsort(-scores, kind="stable")[:TOP_SENTENCES]
        explanations.append(
            Explanation(
                code=node.code,
                label=node.label,
                model_version=classifier.version,
                measure=measure,
                sentences=[ScoredSentence(texts[i], float(scores[i])) for i in top],
                voters=training_voters(classifier, node.code, own),
                neighbours=labelled_neighbours(document, node, own),
            )
        )
    return explanations
