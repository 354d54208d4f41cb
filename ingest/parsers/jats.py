"""JATS XML: one ``<article>`` or many in one file, streamed with defusedxml (no entities, no DTD fetching).

id: the ``article-id`` of type doi, else pmid, pmcid/pmc, publisher-id, else the first one;
title: ``article-title``; abstract: the first ``abstract`` without an ``abstract-type`` (else the
first), paragraphs kept; full text: the ``body``, section titles and paragraphs; labels: the
``subject``s of ``subj-group``s (not of ``heading`` groups), nested groups giving paths such as
"Physics/Optics"; metadata: journal, year, article type, all article ids and the keywords.
The entry number of the article in the file is the record's line.
"""

import re
from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from ingest.errors import RecordError, SourceError
from ingest.parsers.decoding import utf8_checked
from ingest.parsers.limits import max_member_bytes
from ingest.parsers.opening import Source, observed
from ingest.parsers.records import build_record
from ingest.types import ParsedRecord

ID_TYPES = ("doi", "pmid", "pmcid", "pmc", "publisher-id")
CONTAINERS = {"sec", "list", "list-item", "def-list", "boxed-text", "disp-quote", "app", "app-group", "ack"}
SKIPPED = {"fig", "table-wrap", "graphic", "media", "ref-list", "fn-group", "supplementary-material", "label"}
PARAGRAPHS = {"p", "title", "disp-formula", "statement", "preformat", "verse-group", "def-item"}
# Far deeper than JATS goes, MathML included. Deeper elements stop the file: the tree builder would
# hold every one of them, and the walk of an article's sections recurses.
MAX_ELEMENT_DEPTH = 256
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)")


def parse_jats(source: Source) -> Iterator[ParsedRecord | RecordError]:
    """Stream the articles of a JATS file; an article over INGEST_MAX_MEMBER_BYTES is a RecordError,
    elements nested deeper than MAX_ELEMENT_DEPTH a SourceError."""
    limit = max_member_bytes()
    position, article_start = 0, None

    def advance(data: bytes) -> None:
        nonlocal position
        position += len(data)

    stream = observed(_utf8_unless_declared(source), advance)
    stack: list[Element] = []
    entry = 0
    try:
        for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=False):
            if event == "start":
                stack.append(element)
                if len(stack) > MAX_ELEMENT_DEPTH:
                    raise SourceError(
                        f"{source.name}: XML elements nested deeper than {MAX_ELEMENT_DEPTH} levels"
                        f" (in entry {entry + 1}); the articles before it are read"
                    )
                if article_start is None and _local(element.tag) == "article":
                    article_start = position
                continue
            stack.pop()
            oversized = article_start is not None and position - article_start > limit
            if (
                article_start is not None
                and _local(element.tag) == "article"
                and "article" not in map(_tag, stack)
            ):
                entry += 1
                yield (
                    _too_large(source.name, entry, limit)
                    if oversized
                    else _article(element, source.name, entry)
                )
                article_start = None
            elif article_start is not None and not oversized:
                continue  # part of an article being read: kept until the article ends
            if stack:
                stack[-1].remove(element)  # done with it: memory stays flat
    except DefusedXmlException as error:
        raise SourceError(
            f"{source.name}: XML entity declarations are not allowed (entity expansion or external "
            f"entities, {type(error).__name__}); remove the DOCTYPE's internal subset"
        ) from error
    except ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        raise SourceError(
            f"{source.name}: not well-formed XML at line {line}, column {column}: {reason}"
        ) from error
    if entry == 0:
        raise SourceError(f"{source.name}: no <article> element: not a JATS file")


def _utf8_unless_declared(source: Source) -> BinaryIO:
    """XML declared in another encoding is decoded by the parser; the rest must be UTF-8."""
    head = source.stream.peek(256)[:256] if hasattr(source.stream, "peek") else b""
    declared = _DECLARED_ENCODING.match(head)
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return source.stream
    return utf8_checked(source.stream, source.name)


def _too_large(name: str, entry: int, limit: int) -> RecordError:
    return RecordError(name, entry, "", f"article larger than {limit} bytes (INGEST_MAX_MEMBER_BYTES)")


def _article(article: Element, name: str, entry: int) -> ParsedRecord | RecordError:
    front = _child(article, "front")
    meta = _child(front, "article-meta") if front is not None else None
    if meta is None:
        return RecordError(name, entry, "article-meta", "missing <front><article-meta>")
    ids = {
        element.get("pub-id-type", "").lower() or "id": _text(element)
        for element in _children(meta, "article-id")
    }
    external_id = next((ids[kind] for kind in ID_TYPES if ids.get(kind)), next(iter(ids.values()), ""))
    title_group = _child(meta, "title-group")
    title = _child(title_group, "article-title") if title_group is not None else None
    body = _child(article, "body")
    keywords = [_text(k) for group in _children(meta, "kwd-group") for k in _children(group, "kwd")]
    metadata = {
        "ids": ids,
        "article_type": article.get("article-type", ""),
        "journal": _journal(front),
        "year": _year(meta),
        "keywords": keywords,
    }
    try:
        return build_record(
            name,
            entry,
            external_id,
            _text(title) if title is not None else "",
            abstract=_abstract(meta),
            full_text="\n\n".join(_blocks(body)) if body is not None else "",
            metadata={key: value for key, value in metadata.items() if value},
            labels=_labels(meta),
        )
    except RecordError as error:
        return error


def _abstract(meta: Element) -> str:
    abstracts = list(_children(meta, "abstract"))
    plain = [a for a in abstracts if not a.get("abstract-type")]
    chosen = (plain or abstracts or [None])[0]
    blocks = list(_blocks(chosen)) if chosen is not None else []
    if blocks and blocks[0].lower() in ("abstract", "summary"):
        blocks = blocks[1:]  # the abstract's own heading
    return "\n\n".join(blocks)


def _blocks(element: Element) -> Iterator[str]:
    """Paragraph-sized texts of an element: section titles and paragraphs, figures and tables left out;
    an element without paragraphs is one text."""
    if not any(_local(child.tag) in CONTAINERS | PARAGRAPHS for child in element):
        if text := _text(element):
            yield text
        return
    for child in element:
        tag = _local(child.tag)
        if tag in CONTAINERS:
            yield from _blocks(child)
        elif tag not in SKIPPED and (text := _text(child)):
            yield text


def _labels(meta: Element) -> list[str]:
    categories = _child(meta, "article-categories")
    if categories is None:
        return []
    return [path for group in _children(categories, "subj-group") for path in _subject_paths(group, "")]


def _subject_paths(group: Element, prefix: str) -> Iterator[str]:
    """A group's subjects, prefixed by its parents'; a group nested in one refines its first subject."""
    if group.get("subj-group-type", "").lower() == "heading":
        return
    subjects = [_text(s) for s in _children(group, "subject") if _text(s)]
    nested = list(_children(group, "subj-group"))
    if not nested:
        yield from (prefix + subject for subject in subjects)
        return
    yield from (prefix + subject for subject in subjects[1:])
    inner = f"{prefix}{subjects[0]}/" if subjects else prefix
    for child in nested:
        yield from _subject_paths(child, inner)


def _journal(front: Element | None) -> str:
    journal_meta = _child(front, "journal-meta") if front is not None else None
    if journal_meta is None:
        return ""
    title = next((e for e in journal_meta.iter() if _local(e.tag) == "journal-title"), None)
    return _text(title) if title is not None else ""


def _year(meta: Element) -> str:
    date = _child(meta, "pub-date")
    year = _child(date, "year") if date is not None else None
    return _text(year) if year is not None else ""


def _children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if _local(child.tag) == name)


def _child(element: Element, name: str) -> Element | None:
    return next(_children(element, name), None)


def _text(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _local(tag: object) -> str:
    """A tag without its namespace; comments and processing instructions have none."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _tag(element: Element) -> str:
    return _local(element.tag)
