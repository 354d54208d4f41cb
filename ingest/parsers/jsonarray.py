"""JSON documents: an array of record objects (or one record object), streamed with ijson."""

from collections.abc import Iterator
from itertools import chain

import ijson

from ingest.errors import RecordError, SourceError
from ingest.parsers.decoding import utf8_checked
from ingest.parsers.jsonl import record_from_object
from ingest.parsers.jsonvalues import (
    OPENING,
    Event,
    TooDeep,
    build_value,
    error_reason,
    json_events,
    skip_value,
)
from ingest.parsers.limits import max_member_bytes, max_nesting, too_deep
from ingest.parsers.opening import Source, observed
from ingest.types import ParsedRecord


def parse_json(source: Source) -> Iterator[ParsedRecord | RecordError]:
    """Stream the records of a JSON array one entry at a time, the entry number as the line; an
    entry nested deeper than INGEST_MAX_NESTING is a RecordError, passed over without being built."""
    limit = max_member_bytes()
    entry, since_entry = 1, 0

    def bound_entry(data: bytes) -> None:
        nonlocal since_entry
        since_entry += len(data)
        if since_entry > limit:
            raise SourceError(
                f"{source.name}: entry {entry} is larger than {limit} bytes (INGEST_MAX_MEMBER_BYTES)"
            )

    stream = utf8_checked(source.stream, source.name)
    events = json_events(observed(stream, bound_entry))
    try:
        first = next(events, None)
        if first is None or first[0] not in OPENING:
            raise SourceError(f"{source.name}: expected a JSON array of record objects")
        starts = events if first[0] == "start_array" else iter([first])
        for start in starts:
            if start[0] == "end_array":
                break
            since_entry = 0
            yield _entry(chain([start], events), source.name, entry)
            entry += 1
        for _ in events:  # ijson raises on anything after the array
            pass
    except ijson.JSONError as error:
        raise SourceError(f"{source.name}: invalid JSON in entry {entry}: {error_reason(error)}") from error
    except UnicodeDecodeError as error:  # yajl on an escaped low surrogate without its pair, then stuck
        raise SourceError(
            f"{source.name}: invalid JSON in entry {entry}: an escaped surrogate without its pair"
        ) from error


def _entry(events: Iterator[Event], name: str, entry: int) -> ParsedRecord | RecordError:
    nesting = max_nesting()
    try:
        return record_from_object(build_value(events, nesting), name, entry)
    except RecordError as error:
        return error
    except TooDeep as error:
        skip_value(events, error.depth)
        return too_deep(name, entry, error.key)
