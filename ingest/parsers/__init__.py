"""Parsers turn an input file into a stream of records or record errors.

``parse_file`` takes any of the formats in ``detection.FORMATS``, plain or gzip-compressed, alone,
in a ZIP or tar archive (nested one level at most) or in a folder. One broken record is a
RecordError among the records; a file that cannot be read at all raises SourceError, and so does
an archive over a size limit. Within an archive, a member that cannot be read, or is not read
(a path that climbs out or is absolute, a link, a device), is one RecordError (line 0, naming the
member and why) and the other members go on.
"""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ingest.errors import RecordError, SourceError
from ingest.parsers.annif import is_subject_file, parse_annif_tsv, parse_text_document, subject_file_of
from ingest.parsers.archives import Member, archive_members, folder_members
from ingest.parsers.bibtex import parse_bibtex
from ingest.parsers.decoding import refuse_binary
from ingest.parsers.delimited import parse_delimited
from ingest.parsers.detection import ARCHIVE_FORMATS, RECORD_FORMATS, detect_format, normalise_format
from ingest.parsers.jats import parse_jats
from ingest.parsers.jsonarray import parse_json
from ingest.parsers.jsonl import parse_jsonl
from ingest.parsers.limits import Budget, LimitError, max_archive_bytes
from ingest.parsers.opening import (
    GZIP_MAGIC,
    Source,
    gunzip,
    observed,
    peek,
    strip_gzip_suffix,
    translate_read_errors,
)
from ingest.parsers.pdf import parse_pdf
from ingest.parsers.ris import parse_ris
from ingest.types import ParsedRecord

ParseResult = ParsedRecord | RecordError

RECORD_PARSERS: dict[str, Callable[[Source], Iterator[ParseResult]]] = {
    "jsonl": parse_jsonl,
    "json": parse_json,
    "annif": parse_annif_tsv,
    "bibtex": parse_bibtex,
    "ris": parse_ris,
    "jats": parse_jats,
    "pdf": parse_pdf,
}
DELIMITERS = {"csv": None, "tsv": "\t"}  # None: "," or ";", as the header has it
MAX_ARCHIVE_DEPTH = 1  # an archive may hold archives, but those may not
TEXT_FORMATS = tuple(kind for kind in RECORD_FORMATS if kind != "pdf")


def parse_file(
    path: Path,
    name: str | None = None,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
) -> Iterator[ParseResult]:
    """Yield the records of an input file (or folder) one at a time; broken records come as RecordError.

    ``name`` is how records and errors name the file (the upload's name; by default the file's),
    and its extension is the fallback when the content does not tell the format. ``format``
    overrides detection (see ``detection.FORMATS``); ``mapping`` names the CSV/TSV column of each
    field (id, title, abstract, full_text, labels)."""
    path = Path(path)
    name = name or path.name
    return translate_read_errors(_parse_path(path, name, format, mapping), name)


@dataclass(frozen=True)
class _Reading:
    """How an input is read: the format asked for (None: detect it), the CSV/TSV mapping, the
    archive depth (0: the file itself) and the archive's byte budget (None outside archives)."""

    wanted: str | None
    mapping: dict[str, str] | None
    depth: int = 0
    budget: Budget | None = None

    def inside(self, archive: str) -> "_Reading":
        """How the members of ``archive`` are read: a wanted archive format was the archive's own."""
        return replace(
            self,
            wanted=None if self.wanted in ARCHIVE_FORMATS else self.wanted,
            depth=self.depth + 1,
            budget=self.budget or Budget(archive, max_archive_bytes()),
        )


def _parse_path(
    path: Path, name: str, format: str | None, mapping: dict[str, str] | None
) -> Iterator[ParseResult]:
    reading = _Reading(normalise_format(format) if format else None, mapping)
    if path.is_dir():
        yield from _parse_members(folder_members(path), name, reading.inside(name))
        return
    with open(path, "rb") as stream:
        yield from _parse_source(Source(stream, name, name), os.fstat(stream.fileno()).st_size, reading)


def _parse_source(
    source: Source, size: int, reading: _Reading, open_subjects: Callable[[], Source] | None = None
) -> Iterator[ParseResult]:
    """Parse one input of ``size`` bytes (as stored): gzip removed, format detected."""
    head, stream = peek(source.stream)
    path = source.path
    if head.startswith(GZIP_MAGIC):
        path = strip_gzip_suffix(path)
        head, stream = peek(gunzip(stream, source.name, size))
    kind = detect_format(head, source.name, path, reading.wanted)
    if kind in TEXT_FORMATS:
        refuse_binary(head, source.name)
    source = Source(stream, source.name, path)
    if kind in ARCHIVE_FORMATS:
        if reading.depth > MAX_ARCHIVE_DEPTH:
            raise SourceError(
                f"{source.name}: an archive inside a nested archive (one level of nesting at most)"
            )
        with archive_members(stream, source.name, kind) as (members, skipped):
            for member in skipped:
                yield RecordError(f"{source.name}:{member.path}", 0, "", f"not read: {member.reason}")
            yield from _parse_members(members, source.name, reading.inside(source.name))
    elif kind in DELIMITERS:
        yield from parse_delimited(source, DELIMITERS[kind], reading.mapping)
    elif kind == "text" and open_subjects is not None:
        subjects = open_subjects()
        with subjects.stream:
            yield from parse_text_document(source, subjects)
    elif kind == "text":
        yield from parse_text_document(source)
    else:
        yield from RECORD_PARSERS[kind](source)


def _parse_members(members: list[Member], archive: str, reading: _Reading) -> Iterator[ParseResult]:
    """Parse each member by its own format; ``.key``/``.tsv`` subject files go with their ``.txt``.
    A member that cannot be read is one RecordError; a size limit passed sinks the archive."""
    by_path = {member.path: member for member in members}
    paths = set(by_path)
    for member in members:
        if is_subject_file(member.path, paths):
            continue
        name = f"{archive}:{member.path}"
        subject_path = subject_file_of(member.path, paths)
        open_subjects = (
            (lambda subject=by_path[subject_path]: _open_member(subject, archive, reading))
            if subject_path
            else None
        )
        try:
            yield from translate_read_errors(_parse_member(member, archive, reading, open_subjects), name)
        except LimitError:
            raise
        except SourceError as error:
            yield RecordError(name, 0, "", str(error).removeprefix(f"{name}: "))


def _parse_member(
    member: Member, archive: str, reading: _Reading, open_subjects: Callable[[], Source] | None
) -> Iterator[ParseResult]:
    source = _open_member(member, archive, reading)
    with source.stream:
        yield from _parse_source(source, member.compressed, reading, open_subjects)


def _open_member(member: Member, archive: str, reading: _Reading) -> Source:
    """A member's stream, its bytes counted against the archive's budget."""
    name = f"{archive}:{member.path}"
    budget = reading.budget
    assert budget is not None  # members are only read inside an archive
    return Source(observed(member.open(), lambda data: budget.spend(len(data), name)), name, member.path)
