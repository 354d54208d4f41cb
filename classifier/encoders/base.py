"""The encoder interface: texts in, L2-normalised float32 vectors out."""

from collections.abc import Sequence

import numpy as np

_threads: int | None = None  # this process's share of the cores; None: the runtime decides
# Characters per token, far above what real text averages (4 to 5 in English and LaTeX). A text is cut
# to max_tokens times this before the tokenizer sees it, which then cuts to max_tokens tokens as before:
# the cut changes no real text's tokens, but a megabyte of text no longer costs seconds to tokenize.
CHARS_PER_TOKEN = 16


def use_threads(count: int) -> None:
    """Encoders loaded from now on in this process compute on ``count`` threads."""
    global _threads
    _threads = count


def encoder_threads() -> int | None:
    """The thread count set by ``use_threads``, if any."""
    return _threads


class Encoder:
    """Base class; subclasses implement ``_encode`` and set ``name``, ``dimensions`` and ``max_tokens``
    (the tokens the model reads of a text; it ignores the rest)."""

    name: str = ""
    dimensions: int = 0
    max_tokens: int = 512

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Encode texts into an (n, dimensions) float32 array of unit vectors. Each text is cut to
        ``max_tokens * CHARS_PER_TOKEN`` characters first, so no tokenizer reads megabytes."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        limit = self.max_tokens * CHARS_PER_TOKEN
        vectors = np.asarray(self._encode([text[:limit] for text in texts]), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def _encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError
