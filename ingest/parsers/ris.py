"""RIS files, read one reference (``TY`` to ``ER``) at a time and parsed by rispy.

id: ``ID``, else ``DO``; title: ``TI``, else ``T1``; abstract: ``AB``, else ``N2``; labels: the
``KW`` keywords, one a tag; metadata: every other tag under rispy's names, keywords as a list.
"""

from collections.abc import Iterator

import rispy

from ingest.errors import RecordError
from ingest.parsers.decoding import text_lines
from ingest.parsers.opening import Source
from ingest.parsers.records import build_record, collapse_space
from ingest.types import ParsedRecord

START, END = "TY  -", "ER  -"
TEXT_KEYS = ("id", "doi", "title", "primary_title", "abstract", "notes_abstract")


def parse_ris(source: Source) -> Iterator[ParsedRecord | RecordError]:
    """Stream the references of a RIS file; one that is broken or unclosed is a RecordError at its TY line."""
    start, lines = 0, []
    for number, text in text_lines(source.stream, source.name):
        if text.startswith(START):
            if lines:
                yield RecordError(
                    source.name, start, "", "reference not closed by an ER line before the next TY"
                )
            start, lines = number, [text]
        elif lines:
            lines.append(text)
            if text.startswith(END):
                yield _reference(lines, source.name, start)
                lines = []
    if lines:
        yield RecordError(source.name, start, "", "reference not closed by an ER line (truncated file?)")


def _reference(lines: list[str], name: str, line: int) -> ParsedRecord | RecordError:
    try:
        (reference,) = rispy.RisParser().parse_lines(iter(line.rstrip("\r\n") for line in lines))
        return _record(reference, name, line)
    except RecordError as error:
        return error
    except (ValueError, KeyError, TypeError, AttributeError) as error:  # rispy's reactions to odd tags
        return RecordError(name, line, "", f"broken RIS reference: {error!r}")


def _record(reference: dict, name: str, line: int) -> ParsedRecord:
    keywords = [str(k) for k in reference.get("keywords", [])]
    metadata = {key: _plain(value) for key, value in reference.items() if key not in TEXT_KEYS}
    return build_record(
        name,
        line,
        _first(reference, "id", "doi"),
        " ".join(_first(reference, "title", "primary_title").split()),
        abstract=collapse_space(_first(reference, "abstract", "notes_abstract")),
        metadata=metadata,
        labels=keywords,
    )


def _first(reference: dict, *keys: str) -> str:
    """The first of ``keys`` with a value (rispy gives a list when a single tag repeats)."""
    for key in keys:
        value = reference.get(key)
        if isinstance(value, list):
            value = " ".join(str(v) for v in value)
        if value:
            return str(value)
    return ""


def _plain(value: object) -> object:
    """JSON-ready values: rispy collects unknown tags in a defaultdict."""
    return {key: list(items) for key, items in value.items()} if isinstance(value, dict) else value
