"""Real arXiv records written into every input format, with the formats' own writers where they exist."""

import csv
import gzip
import io
import itertools
import json
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import bibtexparser
import rispy
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from tests.conftest import ARXIV_DEV

_PLAIN = re.compile(
    r"^(?!.*(--|''))[A-Za-z0-9 ,.:;()'\"?!/+=<>*-]*$"
)  # no LaTeX (-- is a dash), fits any font
_SENTENCE_END = re.compile(r"[.!?](\s|$)")


@dataclass(frozen=True)
class Sample:
    """One real record: what every format should give back."""

    id: str
    title: str
    abstract: str
    labels: tuple[str, ...]


def samples(count: int, skip: int = 0) -> list[Sample]:
    """Real arXiv dev records whose text survives every format unchanged (plain ASCII, no LaTeX,
    a title of one sentence under 200 characters, an abstract under 1900)."""
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as handle:
        objects = (json.loads(line) for line in handle)
        chosen = (
            Sample(o["id"], o["title"], " ".join(o["abstract"].split()), tuple(o["categories"]))
            for o in objects
            if _PLAIN.match(o["title"])
            and _PLAIN.match(o["abstract"])
            and len(o["title"]) < 200
            and not _SENTENCE_END.search(o["title"])
            and len(o["abstract"]) < 1900
        )
        return list(itertools.islice(chosen, skip, skip + count))


def jsonl(records: list[Sample]) -> bytes:
    return "".join(json.dumps(_object(r)) + "\n" for r in records).encode()


def json_array(records: list[Sample]) -> bytes:
    return json.dumps([_object(r) for r in records], indent=1).encode()


def delimited(
    records: list[Sample], delimiter: str = ",", header=("id", "title", "abstract", "labels")
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([r.id, r.title, r.abstract, "|".join(r.labels)] for r in records)
    return out.getvalue().encode()


def annif_tsv(records: list[Sample]) -> bytes:
    lines = (f"{r.title}. {r.abstract}\t{' '.join(f'<{label}>' for label in r.labels)}\n" for r in records)
    return "".join(lines).encode()


def annif_document(record: Sample) -> tuple[bytes, bytes]:
    """A full-text document and its ``.key`` subject file."""
    text = f"{record.title}\n\n{record.abstract}\n\nThe body of the paper.\n"
    return text.encode(), "".join(f"<{label}>\tlabel of {label}\n" for label in record.labels).encode()


def bibtex(records: list[Sample]) -> bytes:
    library = Library()
    for r in records:
        fields = [
            Field("title", r.title),
            Field("abstract", r.abstract),
            Field("keywords", ", ".join(r.labels)),
        ]
        library.add(Entry("article", r.id, fields))
    return bibtexparser.write_string(library).encode()


def ris(records: list[Sample]) -> bytes:
    references = [
        {
            "type_of_reference": "JOUR",
            "id": r.id,
            "title": r.title,
            "abstract": r.abstract,
            "keywords": list(r.labels),
        }
        for r in records
    ]
    return rispy.dumps(references).encode()


def jats_article(record: Sample, title: str | None = None) -> str:
    subjects = "".join(f"<subject>{escape(label)}</subject>" for label in record.labels)
    title = record.title if title is None else title
    return (
        '<article article-type="research-article" xmlns:xlink="http://www.w3.org/1999/xlink">'
        "<front><journal-meta><journal-title-group><journal-title>arXiv</journal-title></journal-title-group>"
        "</journal-meta><article-meta>"
        f'<article-id pub-id-type="arxiv">{escape(record.id)}</article-id>'
        '<article-categories><subj-group subj-group-type="heading"><subject>Article</subject></subj-group>'
        f'<subj-group subj-group-type="arxiv">{subjects}</subj-group></article-categories>'
        f"<title-group><article-title>{escape(title)}</article-title></title-group>"
        "<pub-date><year>2025</year></pub-date>"
        f"<abstract><p>{escape(record.abstract)}</p></abstract></article-meta></front>"
        "<body><sec><title>Introduction</title><p>The body of the paper.</p></sec></body></article>"
    )


def jats(records: list[Sample]) -> bytes:
    articles = "".join(jats_article(r) for r in records)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<articles>{articles}</articles>\n'.encode()


def pdf(lines: list[str], info: dict[str, str] | None = None, encrypt: str | None = None) -> bytes:
    """A real PDF whose pages show ``lines`` in Helvetica, 50 lines a page."""
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    for page_lines in _batched(lines, 50):
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        operations = ["BT", "/F1 10 Tf", "13 TL", "60 740 Td"]
        operations += [f"({_pdf_string(line)}) Tj T*" for line in page_lines]
        operations.append("ET")
        content = DecodedStreamObject()
        content.set_data("\n".join(operations).encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(content)
    if info:
        writer.add_metadata(info)
    if encrypt is not None:
        writer.encrypt(encrypt)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def paper_pdf(record: Sample, with_title: bool = True) -> bytes:
    """A paper: title, authors, an Abstract heading, the abstract wrapped at spaces, an introduction."""
    wrapped = textwrap.wrap(record.abstract, 95, break_long_words=False, break_on_hyphens=False)
    lines = [record.title, "A. Author and B. Author", "", "Abstract", *wrapped, "", "1 Introduction"]
    lines += ["The body of the paper goes on here."] * 60
    info = {"/Keywords": ", ".join(record.labels)}
    if with_title:
        info["/Title"] = record.title
    return pdf(lines, info)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)


def _object(record: Sample) -> dict:
    return {
        "id": record.id,
        "title": record.title,
        "abstract": record.abstract,
        "categories": list(record.labels),
    }


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _batched(items: list, size: int):
    return (items[start : start + size] for start in range(0, len(items), size))
