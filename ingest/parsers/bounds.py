"""A record's fields held to their bounds as it is parsed, before it is spooled, stored or shown.

Over its bound, an id, title, abstract or metadata fails its record (RecordError naming the field),
and so does text that is not valid Unicode (bytes of the file that were not UTF-8, kept as
surrogate escapes by ``decoding.text_lines``, or an unpaired surrogate escaped in JSON), which no
database takes.

A full text is cut to INGEST_MAX_FULL_TEXT_CHARS instead, with a warning: the classifier reads only
its first few thousand words (``classifier/chunking.py``) and search indexes titles and abstracts,
so what is cut off changes neither, while the record's other fields are kept."""

import json
import re
from collections.abc import Iterator

from django.conf import settings

from ingest.errors import RecordError
from ingest.parsers.limits import max_nesting, too_deep
from ingest.parsers.plaintext import clip

MAX_ID_CHARS = 500  # library.models.Document.external_id's max_length
LENGTH_SETTINGS = {"title": "INGEST_MAX_TITLE_CHARS", "abstract": "INGEST_MAX_ABSTRACT_CHARS"}
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_fields(
    file: str, line: int, texts: dict[str, str], labels: tuple[str, ...], metadata: dict
) -> None:
    """RecordError naming the first field over its bound or holding text that is not valid Unicode;
    ``texts`` maps field names to texts, the id under "id"."""
    if len(texts["id"]) > MAX_ID_CHARS:
        raise RecordError(file, line, "id", f"{len(texts['id'])} characters, more than {MAX_ID_CHARS}")
    for field, setting in LENGTH_SETTINGS.items():
        limit = getattr(settings, setting)
        if len(texts[field]) > limit:
            raise RecordError(
                file, line, field, f"{len(texts[field])} characters, more than {limit} ({setting})"
            )
    for field, text in [*texts.items(), *(("labels", label) for label in labels)]:
        _check_unicode(file, line, field, text)
    check_metadata(file, line, metadata)


def unicode_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored (a byte that was not UTF-8, an unpaired surrogate), or None."""
    found = None if text.isascii() else _SURROGATE.search(text)
    if found is None:
        return None
    code, where = ord(found.group()), f"character {found.start() + 1}"
    if 0xDC80 <= code <= 0xDCFF:
        return f"not UTF-8 text: byte 0x{code - 0xDC00:02x} at {where}; save the file as UTF-8"
    return f"an unpaired surrogate U+{code:04X} at {where}, not valid Unicode"


def check_metadata(file: str, line: int, metadata: dict) -> None:
    """RecordError when metadata takes more than INGEST_MAX_METADATA_BYTES as JSON, nests deeper than
    INGEST_MAX_NESTING or holds text that is not valid Unicode (those two naming its key).

    Its JSON, written by the json module's C encoder (which refuses what nests near the recursion
    limit), tells the size, and whether the metadata may nest too deep (more brackets than the
    limit) or hold surrogates; only then is it walked, to find the key."""
    try:
        written = json.dumps(metadata, ensure_ascii=False, default=str)
    except RecursionError:
        _walk(file, line, metadata)  # raises: nested far deeper than the limit
        raise
    limit = settings.INGEST_MAX_METADATA_BYTES
    if len(written) > limit or len(written.encode("utf-8", "surrogatepass")) > limit:
        raise RecordError(
            file, line, "metadata", f"more than {limit} bytes as JSON (INGEST_MAX_METADATA_BYTES)"
        )
    if written.count("[") + written.count("{") > max_nesting() or unicode_problem(written):
        _walk(file, line, metadata)


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


def _check_unicode(file: str, line: int, field: str, text: str) -> None:
    if problem := unicode_problem(text):
        raise RecordError(file, line, field, problem)


def _walk(file: str, line: int, metadata: dict) -> None:
    """RecordError naming the key under which metadata nests deeper than INGEST_MAX_NESTING or holds
    text that is not valid Unicode; depth first, without recursion, one open container a level."""
    nesting = max_nesting()
    walking = [("", _entries(metadata), 1)]  # containers being walked: key they are under, depth
    while walking:
        field, entries, depth = walking[-1]
        for key, value in entries:
            name = field or str(key)
            for text in (key, value):
                if isinstance(text, str) and (problem := unicode_problem(text)):
                    raise RecordError(file, line, name, problem)
            if isinstance(value, dict | list | tuple):
                if depth == nesting:
                    raise too_deep(file, line, name)
                walking.append((name, _entries(value), depth + 1))
                break
        else:
            walking.pop()


def _entries(container: dict | list | tuple) -> Iterator[tuple[object, object]]:
    """``(key, value)`` of a dict's items, ``(None, item)`` of a list's."""
    return iter(container.items()) if isinstance(container, dict) else ((None, item) for item in container)
