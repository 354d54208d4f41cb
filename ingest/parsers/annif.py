"""Annif-style corpora: short-text TSV files and full-text ``.txt`` documents with subject files.

A TSV line is ``text<TAB><uri> <uri>``; its id is ``<file>:<line number>`` (Annif gives none), its
title the first sentence of the text (at most 200 characters) and its abstract the rest. A ``.txt``
document's id is its path without ``.txt``, its title the first line, its abstract the text after
an "Abstract" heading (else the first paragraph after the title) and its full text the whole text.
Its subjects come from ``doc.key`` or ``doc.tsv`` beside it: one subject a line, either a ``<uri>``
(a label may follow a tab) or a bare label. URIs and labels are kept as given, as labels.
"""

import re
from collections.abc import Iterator
from typing import BinaryIO

from ingest.errors import RecordError
from ingest.parsers.decoding import record_lines, text_lines
from ingest.parsers.opening import Source, read_bounded
from ingest.parsers.plaintext import (
    abstract_after_heading,
    first_line,
    paragraph_after_title,
    split_first_sentence,
)
from ingest.parsers.records import build_record, document_id
from ingest.types import ParsedRecord

SUBJECT_SUFFIXES = (".key", ".tsv")
_URI = re.compile(r"<([^<>]*)>")


def parse_annif_tsv(source: Source) -> Iterator[ParsedRecord | RecordError]:
    """Stream an Annif short-text corpus: one document a line, its subject URIs after a tab."""
    for line, text in record_lines(source.stream, source.name):
        if isinstance(text, RecordError):
            yield text
            continue
        if not text.strip():
            continue
        try:
            yield _tsv_record(text.rstrip("\r\n"), source.name, line)
        except RecordError as error:
            yield error


def _tsv_record(text: str, name: str, line: int) -> ParsedRecord:
    if "\t" not in text:
        raise RecordError(
            name, line, "subjects", "expected the text, a tab, then subject URIs in <angle brackets>"
        )
    body, subjects = text.rsplit("\t", 1)
    uris = _URI.findall(subjects)
    if _URI.sub("", subjects).strip():
        raise RecordError(
            name, line, "subjects", "expected subject URIs in <angle brackets>, separated by spaces"
        )
    title, abstract = split_first_sentence(body)
    return build_record(name, line, f"{name}:{line}", title, abstract=abstract, labels=uris)


def parse_text_document(
    source: Source, subjects: Source | None = None
) -> Iterator[ParsedRecord | RecordError]:
    """One plain-text document, its subjects read from an Annif subject file when there is one."""
    data = read_bounded(source.stream, source.name, "text document")
    text = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")  # bad bytes fail the record
    labels = _subject_file_labels(subjects.stream, subjects.name) if subjects else []
    try:
        yield build_record(
            source.name,
            1,
            document_id(source.path),
            first_line(text),
            abstract=abstract_after_heading(text) or paragraph_after_title(text),
            full_text=text,
            labels=labels,
        )
    except RecordError as error:
        yield error


def _subject_file_labels(stream: BinaryIO, name: str) -> list[str]:
    labels = []
    for _, text in text_lines(stream, name):
        subject = text.strip().split("\t", 1)[0].strip()
        uri = _URI.fullmatch(subject)
        if subject:
            labels.append(uri.group(1) if uri else subject)
    return labels


def is_subject_file(path: str, paths: set[str]) -> bool:
    """Whether ``path`` is the subject file of a ``.txt`` document among ``paths``."""
    stem, dot, suffix = path.rpartition(".")
    return bool(dot) and f".{suffix.lower()}" in SUBJECT_SUFFIXES and f"{stem}.txt" in paths


def subject_file_of(path: str, paths: set[str]) -> str | None:
    """The subject file among ``paths`` of the ``.txt`` document at ``path``, if any."""
    stem = path[: -len(".txt")] if path.lower().endswith(".txt") else path
    return next((f"{stem}{suffix}" for suffix in SUBJECT_SUFFIXES if f"{stem}{suffix}" in paths), None)
