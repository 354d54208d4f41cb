"""JSON Lines records: one JSON object a line with ``id``, ``title`` and optional ``abstract``."""

import json
from collections.abc import Iterator

import ijson

from ingest.errors import RecordError
from ingest.parsers.decoding import record_lines
from ingest.parsers.jsonvalues import TooDeep, error_reason, loads_bounded
from ingest.parsers.limits import max_nesting, too_deep
from ingest.parsers.opening import Source
from ingest.parsers.records import build_record
from ingest.types import ParsedRecord

TEXT_FIELDS = ("title", "abstract", "full_text")
LABEL_FIELDS = ("categories", "subjects", "labels")  # the first one present gives the labels


def labels_from_object(obj: dict, file: str, line: int) -> tuple[str, ...]:
    """Subject labels from the first label field present: a list of strings (or one string)."""
    for name in LABEL_FIELDS:
        value = obj.get(name)
        if value is None:
            continue
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise RecordError(file, line, name, "expected a list of subject codes or label paths")
        return tuple(v.strip() for v in values if v.strip())
    return ()


def record_from_object(obj: object, file: str, line: int) -> ParsedRecord:
    """Turn one decoded JSON object into a record, or raise RecordError naming the field."""
    if not isinstance(obj, dict):
        raise RecordError(file, line, "", f"expected a JSON object, got {type(obj).__name__}")
    external_id = obj.get("id")
    if isinstance(external_id, int):
        external_id = str(external_id)
    texts = {}
    for name in TEXT_FIELDS:
        value = obj.get(name) or ""
        if not isinstance(value, str):
            raise RecordError(file, line, name, f"expected text, got {type(value).__name__}")
        texts[name] = value
    return build_record(
        file,
        line,
        external_id if isinstance(external_id, str) else "",
        texts.pop("title"),
        metadata={k: v for k, v in obj.items() if k != "id" and k not in TEXT_FIELDS},
        labels=labels_from_object(obj, file, line),
        **texts,
    )


def parse_jsonl(source: Source) -> Iterator[ParsedRecord | RecordError]:
    """Stream JSON Lines: one record object a line; bad lines, lines over INGEST_MAX_MEMBER_BYTES
    and lines nested deeper than INGEST_MAX_NESTING come out as RecordError."""
    nesting = max_nesting()
    for line, text in record_lines(source.stream, source.name):
        if isinstance(text, RecordError):
            yield text
            continue
        if not text.strip():
            continue
        try:
            yield record_from_object(loads_bounded(text, nesting), source.name, line)
        except RecordError as error:
            yield error
        except TooDeep as error:
            yield too_deep(source.name, line, error.key)
        except json.JSONDecodeError as error:
            yield RecordError(source.name, line, "", f"invalid JSON: {error.msg} at column {error.colno}")
        except ijson.JSONError as error:
            yield RecordError(source.name, line, "", f"invalid JSON: {error_reason(error)}")
        except ValueError as error:  # huge integers
            yield RecordError(source.name, line, "", f"invalid JSON: {error}")
