"""A record's fields held to their bounds as it is parsed, before it is spooled, stored or shown.

Over its bound, an id, title, abstract or metadata fails its record (RecordError naming the field).
A full text is cut to INGEST_MAX_FULL_TEXT_CHARS instead, with a warning: the classifier reads only
its first few thousand words (``classifier/chunking.py``) and search indexes titles and abstracts,
so what is cut off changes neither, while the record's other fields are kept."""

from django.conf import settings

from ingest.errors import RecordError
from ingest.parsers.limits import max_nesting, too_deep
from ingest.parsers.plaintext import clip

MAX_ID_CHARS = 500  # library.models.Document.external_id's max_length


def check_sizes(file: str, line: int, external_id: str, title: str, abstract: str, metadata: dict) -> None:
    """RecordError naming the first of these fields over its bound."""
    if len(external_id) > MAX_ID_CHARS:
        raise RecordError(file, line, "id", f"{len(external_id)} characters, more than {MAX_ID_CHARS}")
    _check_length(file, line, "title", title, "INGEST_MAX_TITLE_CHARS")
    _check_length(file, line, "abstract", abstract, "INGEST_MAX_ABSTRACT_CHARS")
    check_metadata(file, line, metadata)


def check_metadata(file: str, line: int, metadata: dict) -> None:
    """RecordError when metadata nests deeper than INGEST_MAX_NESTING (naming its key) or takes more
    than INGEST_MAX_METADATA_BYTES written as JSON; walked without recursion, stopping at the first."""
    nesting, limit = max_nesting(), settings.INGEST_MAX_METADATA_BYTES
    size, pending = 0, [("", metadata, 1)]  # (metadata key it is under, value, its depth)
    while pending:
        field, value, depth = pending.pop()
        if isinstance(value, dict | list | tuple):
            if depth > nesting:
                raise too_deep(file, line, field)
            items = value.items() if isinstance(value, dict) else ((None, item) for item in value)
            for key, item in items:
                size += 0 if key is None else _json_bytes(str(key), limit)
                pending.append((field or str(key), item, depth + 1))
            size += 2
        else:
            size += _json_bytes(value, limit)
        if size > limit:
            raise RecordError(
                file, line, "metadata", f"more than {limit} bytes as JSON (INGEST_MAX_METADATA_BYTES)"
            )


def cut_full_text(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The full text within INGEST_MAX_FULL_TEXT_CHARS (cut at a space), with the record's warning
    ``(field, reason)`` when it was cut."""
    limit = settings.INGEST_MAX_FULL_TEXT_CHARS
    if len(text) <= limit:
        return text, ()
    kept = clip(text, limit)
    reason = (
        f"{len(text)} characters, more than {limit} (INGEST_MAX_FULL_TEXT_CHARS);"
        f" the document is stored with the first {len(kept)}"
    )
    return kept, (("full_text", reason),)


def _check_length(file: str, line: int, field: str, text: str, setting: str) -> None:
    limit = getattr(settings, setting)
    if len(text) > limit:
        raise RecordError(file, line, field, f"{len(text)} characters, more than {limit} ({setting})")


def _json_bytes(value: object, limit: int) -> int:
    """About the bytes ``value`` takes in JSON, with its separator; a string longer than ``limit``
    characters is not encoded to tell (it has at least that many bytes)."""
    if not isinstance(value, str):
        return len(str(value)) + 1  # numbers as written; True, False, None as long as true, false, null
    if len(value) > limit:
        return len(value)
    return len(value.encode("utf-8", "surrogatepass")) + 3
