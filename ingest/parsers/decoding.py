"""UTF-8 text out of byte streams: lines of bounded length, with bytes that are not UTF-8 kept for
the record holding them to fail, or the offset of the first such byte where a whole document must
be UTF-8."""

import codecs
from collections.abc import Iterator
from itertools import count
from typing import BinaryIO

from ingest.errors import RecordError, SourceError
from ingest.parsers.limits import max_member_bytes
from ingest.parsers.opening import observed

BOM = "\ufeff"
CHUNK_BYTES = 1024 * 1024  # a long line is read, or passed over, this much at a time


def not_utf8(name: str, error: UnicodeDecodeError, offset: int) -> SourceError:
    """The error for bytes that are not UTF-8, naming the file, the byte and its offset."""
    bad = error.object[error.start : error.start + 1].hex()
    return SourceError(
        f"{name}: not UTF-8 text: byte 0x{bad} at byte offset {offset}; save the file as UTF-8"
    )


def refuse_binary(head: bytes, name: str) -> None:
    """SourceError for a text input whose first bytes hold a NUL byte: binary data (an image, UTF-16
    without its mark), which would fail line by line."""
    if (offset := head.find(b"\x00")) >= 0:
        raise SourceError(f"{name}: binary data, not text: byte 0x00 at byte offset {offset}")


def record_lines(stream: BinaryIO, name: str) -> Iterator[tuple[int, str | RecordError]]:
    """Yield ``(line number, text)`` with line ends kept, for formats with one record a line.

    A line over INGEST_MAX_MEMBER_BYTES comes as a RecordError instead, passed over a chunk at a
    time without being held whole, and the lines after it go on. Bytes that are not UTF-8 are kept
    as surrogate escapes (U+DC80 to U+DCFF), so that only the record holding them fails, naming its
    field (``bounds.unicode_problem``)."""
    limit = max_member_bytes()
    for number in count(1):
        raw = _line(stream, limit)
        if raw is None:
            yield (
                number,
                RecordError(name, number, "", f"longer than {limit} bytes (INGEST_MAX_MEMBER_BYTES)"),
            )
            continue
        if not raw:
            return
        text = raw.decode("utf-8", "surrogateescape")
        yield number, text.removeprefix(BOM) if number == 1 else text


def text_lines(stream: BinaryIO, name: str) -> Iterator[tuple[int, str]]:
    """``record_lines`` for formats whose records may span lines: a line over the limit is a SourceError."""
    for number, text in record_lines(stream, name):
        if isinstance(text, RecordError):
            raise SourceError(f"{name}: line {number} is {text.reason}")
        yield number, text


def _line(stream: BinaryIO, limit: int) -> bytearray | None:
    """The next line (empty at the end), or None when it is longer than ``limit`` bytes."""
    held = bytearray()
    while chunk := stream.readline(CHUNK_BYTES):
        if len(held) + len(chunk) > limit:
            while not chunk.endswith(b"\n") and (chunk := stream.readline(CHUNK_BYTES)):
                pass
            return None
        held += chunk
        if chunk.endswith(b"\n"):
            break
    return held


def utf8_checked(stream: BinaryIO, name: str) -> BinaryIO:
    """The same bytes, checked as they pass: the first bytes that are not UTF-8 raise SourceError."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    passed = 0

    def check(data: bytes) -> None:
        nonlocal passed
        pending = decoder.getstate()[0]
        try:
            decoder.decode(data, final=not data)
        except UnicodeDecodeError as error:
            raise not_utf8(name, error, passed - len(pending) + error.start) from error
        passed += len(data)

    return observed(stream, check)
