"""Zero-shot subject prediction: documents are compared with the text of each node.

Its scores are cosine similarities, not probabilities: they rank subjects for one document and say
how close it is to each, but nothing calibrated them against librarians' labels.
"""

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifier.decoding import beam_search, close_over_ancestors
from classifier.encoders.base import Encoder
from classifier.types import Prediction
from taxonomy.tree import Tree

DEFAULT_TEMPERATURE = 0.01
DESCRIPTION_WEIGHT = 0.5  # chosen on the first 500 records of the arXiv dev file
NODE_TEXT_RECIPE = f"label-path+{DESCRIPTION_WEIGHT}*description"  # part of the node-vector cache key


def label_path(tree: Tree, code: str) -> str:
    """A node's label in context: its ancestors' labels down to its own."""
    return " > ".join(tree.labels[c] for c in tree.first_path(code))


def embed_nodes(tree: Tree, codes: Sequence[str], encoder: Encoder) -> np.ndarray:
    """One unit vector per node: its label path, plus its description at a lower weight."""
    paths = [label_path(tree, code) for code in codes]
    descriptions = [tree.descriptions.get(code) or path for code, path in zip(codes, paths)]
    vectors = encoder.encode(paths) + DESCRIPTION_WEIGHT * encoder.encode(descriptions)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@dataclass
class ZeroShotModel:
    """Node embeddings for one taxonomy version and one encoder, with the decoding settings."""

    tree: Tree
    codes: list[str]
    node_vectors: np.ndarray
    beam_width: int = 8
    top_k: int = 3
    temperature: float = DEFAULT_TEMPERATURE

    @classmethod
    def build(
        cls, tree: Tree, encoder: Encoder, cache_file: Path | None = None, **options
    ) -> "ZeroShotModel":
        """Embed every node's text, reusing ``cache_file`` (keyed by the caller on the node texts)."""
        codes = sorted(tree.parents)
        if cache_file and cache_file.exists():
            cached = np.load(cache_file, allow_pickle=False)
            if list(cached["codes"]) == codes:
                return cls(tree, codes, cached["vectors"], **options)
        vectors = embed_nodes(tree, codes, encoder)
        if cache_file:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            temporary = cache_file.with_suffix(f".{os.getpid()}.tmp.npz")  # atomic, per process
            np.savez(temporary, codes=np.array(codes), vectors=vectors)
            temporary.replace(cache_file)
        return cls(tree, codes, vectors, **options)

    def similarities(self, document_vectors: np.ndarray) -> np.ndarray:
        """Cosine similarity of each document to each node; a branch scores as its best descendant
        or itself."""
        return self.tree.consistent(self.codes, document_vectors @ self.node_vectors.T)

    def ranked(self, document_vectors: np.ndarray) -> list[list[tuple[str, float]]]:
        """Per document, the leaves the beam chose, best first, with their similarities."""
        return [
            [(code, similarity[code]) for code, _ in self._beam(similarity)]
            for similarity in self._similarity_rows(document_vectors)
        ]

    def predict(self, document_vectors: np.ndarray, floor: float = -1.0) -> list[list[Prediction]]:
        """Per document, the leaves the beam chose with a similarity of ``floor`` or more, with their
        ancestors, most specific first; [] when none reaches it."""
        predictions = []
        for similarity in self._similarity_rows(document_vectors):
            chosen = [(code, similarity[code]) for code, _ in self._beam(similarity)]
            kept = [(code, score) for code, score in chosen if score >= floor]
            predictions.append(close_over_ancestors(self.tree, kept, similarity) if kept else [])
        return predictions

    def _similarity_rows(self, document_vectors: np.ndarray) -> list[dict[str, float]]:
        return [dict(zip(self.codes, row.tolist())) for row in self.similarities(document_vectors)]

    def _beam(self, similarity: dict[str, float]) -> list[tuple[str, float]]:
        return beam_search(
            self.tree, similarity, beam_width=self.beam_width, top_k=self.top_k, temperature=self.temperature
        )


def document_text(title: str, abstract: str) -> str:
    """The text the classifier reads for a document."""
    return f"{title}. {abstract}".strip() if abstract else title


def predict_texts(model: ZeroShotModel, encoder: Encoder, texts: Sequence[str]) -> list[list[Prediction]]:
    """Encode texts and predict their subjects."""
    return model.predict(encoder.encode(texts))
