"""UTF-8 text out of byte streams, with the byte offset of the first bad byte when it is not UTF-8."""

import codecs
from collections.abc import Iterator
from itertools import count
from typing import BinaryIO

from ingest.errors import SourceError
from ingest.parsers.limits import max_member_bytes
from ingest.parsers.opening import observed

BOM = "\ufeff"


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


def text_lines(stream: BinaryIO, name: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text)`` with line ends kept; a line over INGEST_MAX_MEMBER_BYTES is a SourceError.

    Bytes that are not UTF-8 are kept as surrogate escapes (U+DC80 to U+DCFF), so that only the
    record holding them fails, naming its field (``bounds.unicode_problem``)."""
    limit = max_member_bytes()
    for number in count(1):
        raw = stream.readline(limit + 1)
        if not raw:
            return
        if len(raw) > limit:
            raise SourceError(f"{name}: line {number} is longer than {limit} bytes (INGEST_MAX_MEMBER_BYTES)")
        text = raw.decode("utf-8", "surrogateescape")
        yield number, text.removeprefix(BOM) if number == 1 else text


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
