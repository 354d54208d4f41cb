"""Zero-shot subject prediction: documents are compared with the text of each node."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifier.decoding import beam_decode
from classifier.encoders.base import Encoder
from classifier.types import Prediction
from taxonomy.tree import Tree

DEFAULT_TEMPERATURE = 0.05


def node_text(tree: Tree, code: str) -> str:
    """A node's label in context: its ancestors' labels, its own label and its description."""
    path = [tree.labels[c] for c in tree.first_path(code)]
    text = " > ".join(path)
    description = tree.descriptions.get(code, "")
    return f"{text}. {description}" if description else text


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
        """Embed every node's text, reusing ``cache_file`` when it holds the same codes."""
        codes = sorted(tree.parents)
        if cache_file and cache_file.exists():
            cached = np.load(cache_file, allow_pickle=False)
            if list(cached["codes"]) == codes:
                return cls(tree, codes, cached["vectors"], **options)
        vectors = encoder.encode([node_text(tree, code) for code in codes])
        if cache_file:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            temporary = cache_file.with_suffix(".tmp.npz")
            np.savez(temporary, codes=np.array(codes), vectors=vectors)
            temporary.replace(cache_file)
        return cls(tree, codes, vectors, **options)

    def predict(self, document_vectors: np.ndarray) -> list[list[Prediction]]:
        """Hierarchy-consistent predictions for each document vector."""
        similarities = document_vectors @ self.node_vectors.T
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
