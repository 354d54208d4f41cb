"""The trained classifier: a linear head over TF-IDF n-grams and the distilled encoder's vectors,
next to the votes of the nearest labelled documents.

Nodes with training examples get a one-vs-rest linear SVM on both feature sets; its margin and the
neighbours' vote become one probability by Platt scaling over both, fitted on validation data.
Nodes without examples fall back to the zero-shot similarity of their label and description. A
node's probability is then raised to its best descendant's, so scores never rise going down a path.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse

from classifier.neighbours import Neighbours
from classifier.ranking import rank_subjects
from classifier.types import Prediction
from taxonomy.tree import Tree

VECTOR_WEIGHT = 1.0  # scale of the dense vectors next to the unit-length TF-IDF rows


class NoText:
    """The text features of a compact model: none; its heads read the encoder's vector alone."""

    def fit(self, texts: Sequence[str]) -> "NoText":
        return self

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return sparse.csr_matrix((len(texts), 0), dtype=np.float32)


def features(vectorizer, texts: Sequence[str], vectors: np.ndarray) -> sparse.csr_matrix:
    """What the linear heads read: TF-IDF n-grams of the text next to the encoder's vector."""
    dense = VECTOR_WEIGHT * sparse.csr_matrix(np.asarray(vectors, dtype=np.float32))
    return sparse.hstack([vectorizer.transform(texts), dense]).tocsr()


@dataclass
class Platt:
    """p = sigmoid(a · scores + b), fitted on held-out data: one weight in ``a`` per kind of score."""

    a: tuple[float, ...]
    b: float

    def __call__(self, *scores: np.ndarray) -> np.ndarray:
        combined = sum(weight * score for weight, score in zip(np.atleast_1d(self.a), scores))
        return 1.0 / (1.0 + np.exp(-(combined + self.b)))


@dataclass
class Thresholds:
    assign: float  # a node is assigned at or above this probability
    accept: float  # an assigned node is accepted without review at or above this
    abstain: float  # a document whose best probability is below this is not classifiable
    domain: float  # ...and so is one less similar than this to every subject's training documents
    assign_rare: float | None = None  # where set, the bar for subjects that are not frequent
    accept_precision: float | None = None  # the validation precision ``accept`` was chosen to reach


@dataclass
class HybridModel:
    """Everything needed to predict: vocabulary, weights, calibration and thresholds."""

    tree: Tree
    codes: list[str]  # the columns of every score matrix
    scored: np.ndarray  # bool per code: has a score of its own (else only its descendants')
    trained: np.ndarray  # bool per code: has a linear head (else the zero-shot prior, if scored)
    vectorizer: object  # a fitted sklearn TfidfVectorizer
    weights: np.ndarray  # (features, codes) float32; zero columns for untrained codes
    bias: np.ndarray  # (codes,)
    node_vectors: np.ndarray  # (codes, dims) for the zero-shot fallback
    centroids: np.ndarray  # (codes, dims) unit mean vector of each subject's training documents
    head_calibration: Platt  # over (margin, neighbours' vote)
    prior_calibration: Platt
    thresholds: Thresholds
    top_k: int = 5
    encoder: str = ""  # the encoder its vectors come from, when not the configured one
    neighbours: Neighbours | None = None  # None where validation gave the vote no weight, or before it voted
    frequent: np.ndarray | None = None  # bool per code: on FREQUENT_SHARE of training documents or more

    def margins(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """The linear heads' raw margins (zero columns for codes without a head)."""
        return np.asarray(features(self.vectorizer, texts, vectors) @ self.weights) + self.bias

    def probabilities(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Calibrated, hierarchy-consistent probability of every code for every document."""
        return self.probabilities_from(self.evidence(texts, vectors), vectors)

    def probabilities_from(self, evidence: tuple[np.ndarray, ...], vectors: np.ndarray) -> np.ndarray:
        """``probabilities`` from the heads' evidence of the same documents, computed already."""
        prior = np.where(self.scored, self.prior_calibration(vectors @ self.node_vectors.T), 0.0)
        raw = np.where(self.trained, self.head_calibration(*evidence), prior)
        return self.tree.consistent(self.codes, raw)

    def evidence(self, texts: Sequence[str], vectors: np.ndarray) -> tuple[np.ndarray, ...]:
        """What the heads' calibration reads: the margins, and the neighbours' votes where kept."""
        margins = self.margins(texts, vectors)
        return (margins,) if self.neighbours is None else (margins, self.neighbours.votes(vectors))

    def predict(self, texts: Sequence[str], vectors: np.ndarray) -> list[list[Prediction]]:
        """Assigned subjects per document (best first, ancestors included); [] means not classifiable."""
        return self.decide(self.probabilities(texts, vectors), self.domain_similarity(vectors))

    def domain_similarity(self, vectors: np.ndarray) -> np.ndarray:
        """Each document's cosine to the nearest subject centroid: low for documents from elsewhere."""
        return (vectors @ self.centroids.T).max(axis=1)

    def decide(self, probabilities: np.ndarray, domain: np.ndarray | None = None) -> list[list[Prediction]]:
        """Assigned subjects per document from probabilities; [] for documents out of domain or unsure."""
        inside = np.ones(len(probabilities), bool) if domain is None else domain >= self.thresholds.domain
        floor = self.assign_floor()
        return [self._decide_one(row, floor) if ok else [] for row, ok in zip(probabilities, inside)]

    def assign_floor(self) -> np.ndarray:
        """Per code, the probability from which it is assigned: frequent subjects may have a higher bar."""
        rare = self.thresholds.assign_rare
        if rare is None or self.frequent is None:
            return np.full(len(self.codes), self.thresholds.assign)
        return np.where(self.frequent, self.thresholds.assign, rare)

    @cached_property
    def _specificity(self) -> np.ndarray:
        """Per code, its place in the taxonomy's topological order: a descendant's is higher."""
        return np.array([self.tree.topological_position[c] for c in self.codes])

    def _order(self, row: np.ndarray) -> np.ndarray:
        """Codes by falling probability, a descendant before its ancestor among equals (a node
        ties its best descendant)."""
        return np.lexsort((-self._specificity, -row))

    def _decide_one(self, row: np.ndarray, floor: np.ndarray) -> list[Prediction]:
        if row.max() < self.thresholds.abstain:
            return []
        best = self.codes[self._order(row)[0]]
        assigned = self.tree.closure({self.codes[i] for i in np.flatnonzero(row >= floor)} | {best})
        score = dict(zip(self.codes, row.tolist()))
        position = self.tree.topological_position
        specific = sorted(
            (c for c in assigned if not any(child in assigned for child in self.tree.children[c])),
            key=lambda c: (-score[c], -position[c]),
        )
        return rank_subjects(self.tree, [(c, score[c]) for c in specific], score)

    def ranked(self, row: np.ndarray, k: int | None = None) -> list[tuple[str, float]]:
        """The ``k`` most probable scored codes, none an ancestor of a better one, for ranking
        metrics; most specific first (a code picked before one of its descendants follows it)."""
        k = k or self.top_k
        picked: dict[str, float] = {}
        taken: set[str] = set()
        for i in self._order(row):
            code = self.codes[i]
            if code in taken or not self.scored[i]:
                continue
            picked[code] = float(row[i])
            taken |= {code} | self.tree.ancestors(code)
            if len(picked) == k:
                break
        return [(code, picked[code]) for code in self.tree.specific_first(picked)]
