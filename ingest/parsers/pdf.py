"""PDF documents, one record each, their text extracted by pypdf.

id: the DOI in the document information (``/doi``), else the file's path without ``.pdf``;
title: the information ``/Title`` unless it is empty or a file name, else the first line of text;
abstract: the text after an "Abstract" heading (see ``plaintext``); full text: the pages' text;
labels: the information ``/Keywords`` split on ";" (or ","); metadata: author, subject, keywords,
DOI and the page count.
"""

import io
import re
from collections.abc import Iterator

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from ingest.errors import RecordError, SourceError
from ingest.parsers.opening import Source, read_bounded
from ingest.parsers.plaintext import TITLE_CHARS, abstract_after_heading, clip, first_line
from ingest.parsers.records import build_record, document_id, split_list
from ingest.types import ParsedRecord

KEYWORD_SEPARATORS = ";,"
_PLACEHOLDER_TITLE = re.compile(
    r"^(untitled.*|microsoft word - .*|.*\.(docx?|odt|pdf|tex|dvi|ps))$", re.IGNORECASE
)


def parse_pdf(source: Source) -> Iterator[ParsedRecord | RecordError]:
    """The record of one PDF; an encrypted one or one without text is a RecordError, a broken one a SourceError."""
    data = read_bounded(source.stream, source.name, "PDF")
    try:
        yield _record(PdfReader(io.BytesIO(data)), source)
    except RecordError as error:
        yield error
    except Exception as error:  # pypdf raises errors of all kinds on broken files
        raise SourceError(f"{source.name}: not a readable PDF ({type(error).__name__}: {error})") from error


def _record(reader: PdfReader, source: Source) -> ParsedRecord:
    if reader.is_encrypted and not _decrypted(reader, source.name):
        raise RecordError(source.name, 1, "", "encrypted PDF: it needs a password")
    pages = [page.extract_text() or "" for page in reader.pages]
    full_text = "\n\n".join(text.strip() for text in pages if text.strip())
    if not full_text:
        raise RecordError(source.name, 1, "full_text", "no extractable text (scanned PDF?)")
    info = {
        str(key).lstrip("/").lower(): str(value).strip() for key, value in (reader.metadata or {}).items()
    }
    title = info.get("title", "")
    if not title or _PLACEHOLDER_TITLE.match(title):
        title = first_line(full_text)
    keywords = split_list(info.get("keywords", ""), KEYWORD_SEPARATORS)
    metadata = {key: info[key] for key in ("author", "subject", "doi") if info.get(key)}
    metadata["pages"] = len(pages)
    if keywords:
        metadata["keywords"] = keywords
    return build_record(
        source.name,
        1,
        info.get("doi") or document_id(source.path),
        clip(" ".join(title.split()), TITLE_CHARS),
        abstract=abstract_after_heading(full_text),
        full_text=full_text,
        metadata=metadata,
        labels=keywords,
    )


def _decrypted(reader: PdfReader, name: str) -> bool:
    """Try the empty user password, which many "protected" PDFs have."""
    try:
        return bool(reader.decrypt(""))
    except (DependencyError, FileNotDecryptedError, NotImplementedError) as error:
        raise RecordError(name, 1, "", f"encrypted PDF: cannot decrypt it ({error})") from error
