"""The encoder interface: texts in, L2-normalised float32 vectors out."""

from collections.abc import Sequence

import numpy as np

_threads: int | None = None  # this process's share of the cores; None: the runtime decides


def use_threads(count: int) -> None:
    """Encoders loaded from now on in this process compute on ``count`` threads."""
    global _threads
    _threads = count


def encoder_threads() -> int | None:
    """The thread count set by ``use_threads``, if any."""
    return _threads


class Encoder:
    """Base class; subclasses implement ``_encode`` and set ``name`` and ``dimensions``."""

    name: str = ""
    dimensions: int = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Encode texts into an (n, dimensions) float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = np.asarray(self._encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def _encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError
