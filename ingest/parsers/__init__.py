"""Parsers turn an input file into a stream of records or record errors."""

from collections.abc import Iterator
from pathlib import Path

from ingest.errors import RecordError
from ingest.parsers.jsonl import parse_jsonl
from ingest.types import ParsedRecord

ParseResult = ParsedRecord | RecordError


def parse_file(path: Path, name: str | None = None) -> Iterator[ParseResult]:
    """Yield the records of an input file one at a time; broken records come as RecordError."""
    return parse_jsonl(Path(path), name or Path(path).name)
