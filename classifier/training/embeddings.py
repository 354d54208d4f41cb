"""Document vectors of a labelled file, computed once and cached on disk in resumable chunks."""

import hashlib
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import numpy as np

from classifier.encoders.base import Encoder

CHUNK = 2048


def cache_key(path: Path, encoder: Encoder) -> str:
    """Names the cache after the file's identity (name, size, mtime) and the encoder."""
    stat = path.stat()
    text = f"{path.resolve()}|{stat.st_size}|{int(stat.st_mtime)}|{encoder.name}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def cached_vectors(texts: Iterator[str], encoder: Encoder, folder: Path, progress=None) -> np.ndarray:
    """Encode ``texts`` in chunks saved under ``folder``; an interrupted run resumes where it stopped."""
    folder.mkdir(parents=True, exist_ok=True)
    done = folder / "complete.npy"
    if done.exists():
        return np.load(done)
    parts = []
    for number in range(1_000_000):
        chunk = list(islice(texts, CHUNK))
        if not chunk:
            break
        part = folder / f"part-{number:05d}.npy"
        if not part.exists():
            temporary = folder / f"part-{number:05d}.tmp.npy"
            np.save(temporary, encoder.encode(chunk).astype(np.float16))
            temporary.replace(part)
        parts.append(np.load(part))
        if progress:
            progress(sum(len(p) for p in parts))
    vectors = np.concatenate(parts) if parts else np.zeros((0, encoder.dimensions), np.float16)
    np.save(done, vectors)
    for part in folder.glob("part-*.npy"):
        part.unlink()
    return vectors
