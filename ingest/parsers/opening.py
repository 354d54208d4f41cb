"""Open input streams: gzip layers, a look at the first bytes, observed reads and read errors."""

import gzip
import io
import shutil
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, TypeVar

from ingest.errors import SourceError
from ingest.parsers.limits import LimitError, expansion_limit, max_member_bytes

GZIP_MAGIC = b"\x1f\x8b"
HEAD_BYTES = 64 * 1024  # enough for magic bytes, a tar header and a CSV or TSV header line
BUFFER_BYTES = 64 * 1024

T = TypeVar("T")


@dataclass(frozen=True)
class Source:
    """A decompressed input stream ready to parse."""

    stream: BinaryIO
    name: str  # as records and errors name it: "upload.zip:papers/a.pdf"
    path: str  # its own path without a .gz suffix, for single-document ids: "papers/a.pdf"


class _ObservedReader(io.RawIOBase):
    """Passes reads through and shows each one's bytes to ``on_read`` (which may raise)."""

    def __init__(self, stream: BinaryIO, on_read: Callable[[bytes], None]) -> None:
        super().__init__()
        self._stream, self._on_read = stream, on_read

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()

    def readinto(self, buffer) -> int:
        data = self._stream.read(len(buffer))
        self._on_read(data)
        buffer[: len(data)] = data
        return len(data)


class _PrefixedReader(io.RawIOBase):
    """Gives back the bytes already looked at, then the rest of the stream."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        super().__init__()
        self._head, self._stream = head, stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size], self._head = self._head[:size], self._head[size:]
            return size
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def observed(stream: BinaryIO, on_read: Callable[[bytes], None]) -> BinaryIO:
    """A buffered stream over ``stream`` that shows the bytes of every raw read to ``on_read``."""
    return io.BufferedReader(_ObservedReader(stream, on_read), BUFFER_BYTES)


def is_disk_file(stream: BinaryIO) -> bool:
    """Whether ``stream`` is a plain file on disk, cheap to seek in."""
    return isinstance(stream, io.BufferedReader) and isinstance(stream.raw, io.FileIO)


def peek(stream: BinaryIO) -> tuple[bytes, BinaryIO]:
    """The first bytes of ``stream`` and a stream that still starts with them."""
    head = stream.read(HEAD_BYTES)
    if is_disk_file(stream):
        stream.seek(0)
        return head, stream
    return head, io.BufferedReader(_PrefixedReader(head, stream), BUFFER_BYTES)


def strip_gzip_suffix(path: str) -> str:
    """The name of what a gzip file holds: ``a.bib.gz`` holds ``a.bib``, ``a.tgz`` holds ``a.tar``."""
    lowered = path.lower()
    if lowered.endswith(".tgz"):
        return path[:-4] + ".tar"
    return path[:-3] if lowered.endswith(".gz") else path


def gunzip(stream: BinaryIO, name: str, compressed_bytes: int) -> BinaryIO:
    """Decompress a gzip stream, refusing to expand past the compression-ratio limit."""
    limit = expansion_limit(compressed_bytes)
    total = 0

    def check(data: bytes) -> None:
        nonlocal total
        total += len(data)
        if total > limit:
            raise LimitError(
                f"{name}: gzip data expands to more than {limit} bytes "
                "(INGEST_MAX_COMPRESSION_RATIO; gzip bomb?)"
            )

    return observed(gzip.GzipFile(fileobj=stream, mode="rb"), check)


def read_bounded(stream: BinaryIO, name: str, what: str) -> bytes:
    """All of a stream that must be held whole (a PDF, a text document), up to INGEST_MAX_MEMBER_BYTES."""
    limit = max_member_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise SourceError(f"{name}: {what} larger than {limit} bytes (INGEST_MAX_MEMBER_BYTES)")
    return data


def spill(stream: BinaryIO, on_read: Callable[[bytes], None]) -> BinaryIO:
    """A temporary file holding the rest of ``stream``: archives need to seek, gzip and members cannot."""
    copy = tempfile.TemporaryFile()  # noqa: SIM115 (the caller closes it)
    try:
        shutil.copyfileobj(observed(stream, on_read), copy, BUFFER_BYTES)
    except BaseException:
        copy.close()
        raise
    copy.seek(0)
    return copy


def translate_read_errors(results: Iterator[T], name: str) -> Iterator[T]:
    """Pass results through, turning failures to read the bytes (truncated gzip, bad ZIP) into SourceError."""
    try:
        yield from results
    except EOFError as error:
        raise SourceError(f"{name}: truncated compressed data ({error})") from error
    except (zlib.error, gzip.BadGzipFile) as error:
        raise SourceError(f"{name}: corrupt gzip data ({error})") from error
    except zipfile.BadZipFile as error:
        raise SourceError(f"{name}: not a readable ZIP archive ({error})") from error
    except tarfile.TarError as error:
        raise SourceError(f"{name}: not a readable tar archive ({error})") from error
    except OSError as error:
        raise SourceError(f"{name}: cannot read the file ({error})") from error
