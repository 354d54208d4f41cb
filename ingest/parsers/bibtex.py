"""BibTeX files, parsed by bibtexparser v2 a piece at a time, LaTeX decoded to plain text.

id: the citation key (the DOI when the key is empty); title and abstract: those fields with LaTeX
markup and braces removed; labels: the ``keywords`` field split on ";" (or "," when there is no
";"); metadata: the entry type and every other field, keywords as a list.
"""

import re
from collections.abc import Iterator
from functools import cache

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares import LatexDecodingMiddleware
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    MiddlewareErrorBlock,
    ParsingFailedBlock,
    String,
)
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from ingest.errors import RecordError, SourceError
from ingest.parsers.decoding import text_lines
from ingest.parsers.limits import max_member_bytes
from ingest.parsers.opening import Source
from ingest.parsers.records import build_record, collapse_space, split_list
from ingest.types import ParsedRecord

PIECE_CHARS = 256 * 1024  # a piece of the file ends before the first "@" line past this size
KEYWORD_SEPARATORS = ";,"
_LATEX_MARKUP = re.compile(r"[\\{}$%~&^_#]|--|``|''")  # what pylatexenc would change


class _LatexDecoder(LatexNodes2Text):
    """pylatexenc's LaTeX to text, skipped for values without markup: it walks every character and
    takes ~25 ms for an abstract, and nearly half of real abstracts have no LaTeX at all."""

    def latex_to_text(self, latex: str, **options) -> str:
        return super().latex_to_text(latex, **options) if _LATEX_MARKUP.search(latex) else latex


@cache
def _decoding() -> LatexDecodingMiddleware:
    """bibtexparser's LaTeX decoding as it sets it up by default (\\url kept bare, math verbatim)."""
    context = get_default_latex_context_db()
    context.add_context_category("bare-url", prepend=True, macros=[MacroTextSpec("url", simplify_repl="%s")])
    decoder = _LatexDecoder(latex_context=context, keep_braced_groups=False, math_mode="verbatim")
    return LatexDecodingMiddleware(decoder=decoder)


def parse_bibtex(source: Source) -> Iterator[ParsedRecord | RecordError]:
    """Stream the entries of a BibTeX file; a broken block is a RecordError at its first line.

    The file is cut before lines that start with "@" (where bibtexparser itself starts a new
    block), so memory holds one piece at a time; @string definitions carry over between pieces."""
    strings: list[String] = []
    for first_line, piece in _pieces(source):
        library = Library(strings)  # a fresh library each piece: only the @strings carry over
        bibtexparser.parse_string(piece, append_middleware=[_decoding()], library=library)
        new_blocks = library.blocks[len(strings) :]
        strings += [block for block in new_blocks if isinstance(block, String)]
        for block in new_blocks:
            line = first_line + (block.start_line or 0)
            try:
                result = _result(block, source.name, line)
            except RecordError as error:
                yield error
            else:
                if result is not None:
                    yield result


def _pieces(source: Source) -> Iterator[tuple[int, str]]:
    """``(first line number, text)`` of consecutive pieces of whole blocks."""
    limit = max_member_bytes()
    first_line, parts, size = 1, [], 0
    for number, text in text_lines(source.stream, source.name):
        if size >= PIECE_CHARS and text.lstrip().startswith("@"):
            yield first_line, "".join(parts)
            first_line, parts, size = number, [], 0
        parts.append(text)
        size += len(text)
        if size > limit:
            raise SourceError(
                f"{source.name}: line {first_line}: a block larger than {limit} bytes (INGEST_MAX_MEMBER_BYTES)"
            )
    if parts:
        yield first_line, "".join(parts)


def _result(block: Block, name: str, line: int) -> ParsedRecord | None:
    """The record of an entry, None for blocks that hold none (comments, @string, @preamble)."""
    if isinstance(block, DuplicateBlockKeyBlock):
        raise RecordError(name, line, "id", f"duplicate citation key {block.key!r}")
    if isinstance(block, DuplicateFieldKeyBlock):
        raise RecordError(name, line, "", f"duplicate fields {', '.join(sorted(block.duplicate_keys))}")
    if isinstance(block, MiddlewareErrorBlock):
        raise RecordError(name, line, "", f"cannot decode the LaTeX: {block.error}")
    if isinstance(block, ParsingFailedBlock):
        reason = getattr(block.error, "abort_reason", None) or str(block.error)
        raise RecordError(name, line, "", f"broken BibTeX block: {reason}")
    if not isinstance(block, Entry):
        return None
    return _record(block, name, line)


def _record(entry: Entry, name: str, line: int) -> ParsedRecord:
    fields = {field.key.lower(): _text(field.value) for field in entry.fields}
    keywords = split_list(fields.pop("keywords", ""), KEYWORD_SEPARATORS)
    title, abstract = fields.pop("title", ""), fields.pop("abstract", "")
    metadata = {"entry_type": entry.entry_type.lower(), **fields}
    if keywords:
        metadata["keywords"] = keywords
    return build_record(
        name,
        line,
        entry.key.strip() or fields.get("doi", ""),
        " ".join(title.split()),
        abstract=collapse_space(abstract),
        metadata=metadata,
        labels=keywords,
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)
