"""Nearest labelled documents as evidence: a document's vote for a subject is the share of its
nearest training documents that carry it, each weighted by its similarity.

The votes see what the linear heads miss (a paper close to a handful of others in a small
subject), so the trained classifier calibrates both together.
"""

from dataclasses import dataclass

import numpy as np

K = 30  # neighbours per document
POWER = 3.0  # similarity weight = cosine ** POWER, so the closest count most
CHUNK = 256  # documents per similarity block: bounds memory at CHUNK × training documents


@dataclass(frozen=True)
class Voter:
    """A training document among a document's nearest that carries the subject."""

    external_id: str
    title: str
    similarity: float


@dataclass
class Neighbours:
    vectors: np.ndarray  # (training documents, dims) float32 unit vectors
    targets: np.ndarray  # (training documents, codes) bool: gold codes and their ancestors
    ids: list[str]  # the training documents' external ids and titles, for explanations
    titles: list[str]
    k: int = K
    power: float = POWER

    def votes(self, vectors: np.ndarray) -> np.ndarray:
        """(documents, codes) similarity-weighted share of each document's ``k`` nearest that carry a code."""
        vectors = np.asarray(vectors, dtype=np.float32)
        result = np.zeros((len(vectors), self.targets.shape[1]), dtype=np.float32)
        k = min(self.k, len(self.vectors))
        for start in range(0, len(vectors), CHUNK):
            similarities = vectors[start : start + CHUNK] @ self.vectors.T
            nearest = np.argpartition(-similarities, k - 1, axis=1)[:, :k]
            weights = np.take_along_axis(similarities, nearest, axis=1).clip(0) ** self.power
            carried = self.targets[nearest].astype(np.float32)  # (chunk, k, codes)
            total = np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
            result[start : start + CHUNK] = np.einsum("nk,nkc->nc", weights, carried) / total
        return result

    def voters(self, vector: np.ndarray, column: int) -> list[Voter]:
        """The training documents among this document's ``k`` nearest that carry code ``column``,
        nearest first: the ones whose vote its score counts."""
        similarities = self.vectors @ np.asarray(vector, dtype=np.float32)
        nearest = np.argsort(-similarities)[: self.k]
        return [
            Voter(self.ids[i], self.titles[i], float(similarities[i]))
            for i in nearest
            if self.targets[i, column]
        ]
