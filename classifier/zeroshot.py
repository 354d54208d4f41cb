"""Zero-shot subject prediction: documents are compared with the text of each node."""

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from classifier.decoding import beam_decode
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


def subtree_leaf_indices(tree: Tree, codes: Sequence[str]) -> list[np.ndarray]:
    """For each node, the positions in ``codes`` of itself and the leaves below it."""
    position = {code: i for i, code in enumerate(codes)}
    below: dict[str, set[int]] = {code: {position[code]} for code in codes}
    for leaf in tree.leaves:
        for ancestor in tree.ancestors(leaf):
            below[ancestor].add(position[leaf])
    return [np.array(sorted(below[code])) for code in codes]


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

    @cached_property
    def _subtrees(self) -> list[np.ndarray]:
        return subtree_leaf_indices(self.tree, self.codes)

    def similarities(self, document_vectors: np.ndarray) -> np.ndarray:
        """Cosine similarity of each document to each node; a branch scores as its best leaf or itself."""
        direct = document_vectors @ self.node_vectors.T
        return np.stack([direct[:, below].max(axis=1) for below in self._subtrees], axis=1)

    def predict(self, document_vectors: np.ndarray) -> list[list[Prediction]]:
        """Hierarchy-consistent predictions for each document vector."""
        similarities = self.similarities(document_vectors)
        return [
            beam_decode(
                self.tree,
                dict(zip(self.codes, row.tolist(), strict=False)),
                beam_width=self.beam_width,
                top_k=self.top_k,
                temperature=self.temperature,
            )
            for row in similarities
        ]


def document_text(title: str, abstract: str) -> str:
    """The text the classifier reads for a document."""
    return f"{title}. {abstract}".strip() if abstract else title


def predict_texts(model: ZeroShotModel, encoder: Encoder, texts: Sequence[str]) -> list[list[Prediction]]:
    """Encode texts and predict their subjects."""
    return model.predict(encoder.encode(texts))
