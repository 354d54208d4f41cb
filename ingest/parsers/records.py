"""Build records the same way in every format: required fields checked, labels tidied."""

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from ingest.errors import RecordError
from ingest.parsers.bounds import check_fields, cut_full_text
from ingest.types import ParsedRecord

_SPACE = re.compile(r"\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def build_record(
    file: str,
    line: int,
    external_id: str,
    title: str,
    *,
    abstract: str = "",
    full_text: str = "",
    metadata: dict | None = None,
    labels: Iterable[str] = (),
) -> ParsedRecord:
    """A record with stripped texts (NUL characters, which databases refuse, removed) and unique
    labels; RecordError when the id or the title is empty, or a field is over its bound or not valid
    Unicode (see ``bounds``); a full text over its bound is cut, with a warning."""
    external_id, title, abstract = _clean(external_id), _clean(title), _clean(abstract)
    if not external_id:
        raise RecordError(file, line, "id", "missing or empty")
    if not title:
        raise RecordError(file, line, "title", "missing or empty")
    full_text, warnings = cut_full_text(_clean(full_text))
    labels = tuple(dict.fromkeys(label.strip() for label in labels if label.strip()))
    metadata = metadata or {}
    texts = {"id": external_id, "title": title, "abstract": abstract, "full_text": full_text}
    check_fields(file, line, texts, labels, metadata)
    return ParsedRecord(
        file=file,
        line=line,
        external_id=external_id,
        title=title,
        abstract=abstract,
        full_text=full_text,
        metadata=metadata,
        labels=labels,
        warnings=warnings,
    )


def _clean(text: str | None) -> str:
    return (text or "").replace("\x00", "").strip()


def split_list(text: str, separators: str) -> list[str]:
    """Items of a list written in one string, split on the first of ``separators`` that occurs in it."""
    for separator in separators:
        if separator in text:
            return [item.strip() for item in text.split(separator) if item.strip()]
    return [text.strip()] if text.strip() else []


def collapse_space(text: str) -> str:
    """Runs of white space as single spaces, paragraph breaks (blank lines) kept."""
    paragraphs = (_SPACE.sub(" ", part).strip() for part in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(part for part in paragraphs if part)


def document_id(path: str) -> str:
    """The id of a one-document file: its path without the extension (``papers/a.pdf`` gives ``papers/a``)."""
    pure = PurePosixPath(path)
    return str(pure.with_suffix("")) if pure.suffix else path
