"""JSON documents: an array of record objects (or one record object), streamed with ijson."""

from collections.abc import Iterator
from itertools import chain

import ijson

from ingest.errors import RecordError, SourceError
from ingest.parsers.decoding import utf8_checked
from ingest.parsers.jsonl import record_from_object
from ingest.parsers.limits import max_member_bytes
from ingest.parsers.opening import Source, observed
from ingest.types import ParsedRecord


def parse_json(source: Source) -> Iterator[ParsedRecord | RecordError]:
    """Stream the records of a JSON array one entry at a time, the entry number as the line."""
    limit = max_member_bytes()
    entry, since_entry = 0, 0

    def bound_entry(data: bytes) -> None:
        nonlocal since_entry
        since_entry += len(data)
        if since_entry > limit:
            raise SourceError(
                f"{source.name}: entry {entry + 1} is larger than {limit} bytes (INGEST_MAX_MEMBER_BYTES)"
            )

    stream = utf8_checked(source.stream, source.name)
    events = ijson.parse(observed(stream, bound_entry), use_float=True)
    try:
        first = next(events, None)
        if first is None or first[1] not in ("start_array", "start_map"):
            raise SourceError(f"{source.name}: expected a JSON array of record objects")
        prefix = "item" if first[1] == "start_array" else ""
        for entry, obj in enumerate(ijson.items(chain([first], events), prefix), start=1):
            since_entry = 0
            try:
                yield record_from_object(obj, source.name, entry)
            except RecordError as error:
                yield error
    except ijson.JSONError as error:
        raise SourceError(f"{source.name}: invalid JSON in entry {entry + 1}: {_reason(error)}") from error


def _reason(error: ijson.JSONError) -> str:
    """The first line of ijson's message (the rest points at the spot with a drawing)."""
    message = error.args[0] if error.args else ""
    if isinstance(message, bytes):
        message = message.decode("utf-8", errors="replace")
    return str(message).strip().splitlines()[0] if str(message).strip() else type(error).__name__
