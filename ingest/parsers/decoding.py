"""UTF-8 text out of byte streams, with the byte offset of the first bad byte when it is not UTF-8."""

import codecs
from collections.abc import Iterator
from itertools import count
from typing import BinaryIO

from ingest.errors import SourceError
from ingest.parsers.limits import max_member_bytes
from ingest.parsers.opening import observed

BOM = "\ufeff"


def not_utf8(name: str, error: UnicodeDecodeError, offset: int, line: int | None = None) -> SourceError:
    """The error for bytes that are not UTF-8, naming the file, the byte and its offset."""
    where = f"byte offset {offset}" + (f" (line {line})" if line is not None else "")
    bad = error.object[error.start : error.start + 1].hex()
    return SourceError(f"{name}: not UTF-8 text: byte 0x{bad} at {where}; save the file as UTF-8")


def text_lines(stream: BinaryIO, name: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text)`` with line ends kept; a line over INGEST_MAX_MEMBER_BYTES is a SourceError."""
    limit = max_member_bytes()
    offset = 0
    for number in count(1):
        raw = stream.readline(limit + 1)
        if not raw:
            return
        if len(raw) > limit:
            raise SourceError(f"{name}: line {number} is longer than {limit} bytes (INGEST_MAX_MEMBER_BYTES)")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise not_utf8(name, error, offset + error.start, number) from error
        offset += len(raw)
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
