"""Long documents: bounded chunks of the full text, encoded and pooled into one vector.

However long the text, at most ``max_chunks`` chunks of ``words`` words are read, lazily, and at most
``HEAD_CHARS`` of title and abstract, so memory and time per document stay bounded.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

import numpy as np

from classifier.encoders.base import Encoder
from classifier.zeroshot import document_text

WORD = re.compile(r"\S+")
PLACEHOLDER = re.compile(r"\{\{(?:formula|cite|figure|table):[0-9a-f-]+\}\}")  # unarXive-style markers
CHUNK_WORDS = 200
MAX_CHUNKS = 8
HEAD_CHARS = 20_000  # of title and abstract: five times the longest real abstract, for a megabyte "abstract"
TEXT_CHARS = 4000  # how much full text the lexical features see, after title and abstract


@dataclass(frozen=True)
class DocumentText:
    """What the classifier reads of a document."""

    title: str
    abstract: str = ""
    full_text: str = ""

    @property
    def head(self) -> str:
        """Title and abstract (their first ``HEAD_CHARS``): the text that says most about the subject."""
        return document_text(self.title, self.abstract)[:HEAD_CHARS]

    @property
    def text(self) -> str:
        """Title, abstract and the start of the full text, for lexical features and explanations."""
        return f"{self.head} {self.full_text[:TEXT_CHARS]}".strip() if self.full_text else self.head


def chunks(document: DocumentText, words: int = CHUNK_WORDS, max_chunks: int = MAX_CHUNKS) -> list[str]:
    """The head, then up to ``max_chunks - 1`` chunks of ``words`` words from the full text."""
    return [document.head, *islice(_windows(document.full_text, words), max_chunks - 1)]


def _windows(text: str, words: int) -> Iterator[str]:
    cleaned = (PLACEHOLDER.sub("", match.group()) for match in WORD.finditer(text))
    found = (word for word in cleaned if word.strip(".,;:()"))
    while window := list(islice(found, words)):
        yield " ".join(window)


def encode_documents(
    encoder: Encoder, documents: Sequence[DocumentText], max_chunks: int = MAX_CHUNKS
) -> np.ndarray:
    """One unit vector per document: the mean of its chunks' vectors, the head counted twice."""
    pieces = [chunks(d, max_chunks=max_chunks) for d in documents]
    vectors = encoder.encode([chunk for piece in pieces for chunk in piece])
    pooled, start = [], 0
    for piece in pieces:
        block = vectors[start : start + len(piece)]
        pooled.append(block.sum(axis=0) + block[0])  # the head weighs double: it is the author's summary
        start += len(piece)
    result = np.array(pooled, dtype=np.float32).reshape(len(documents), -1)
    return result / np.maximum(np.linalg.norm(result, axis=1, keepdims=True), 1e-12)
