"""Open input files whether or not they are gzip-compressed."""

import gzip
import io
from pathlib import Path
from typing import IO

GZIP_MAGIC = b"\x1f\x8b"


def open_text(path: Path) -> IO[str]:
    """Open a plain or gzip-compressed file as UTF-8 text, judging by its first bytes."""
    with open(path, "rb") as probe:
        compressed = probe.read(2) == GZIP_MAGIC
    raw = gzip.open(path, "rb") if compressed else open(path, "rb")  # noqa: SIM115 (closed by the wrapper)
    return io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")
