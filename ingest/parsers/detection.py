"""Tell an input's format from its first bytes, falling back to its file name."""

import re
from pathlib import PurePosixPath

from ingest.errors import SourceError
from ingest.parsers.opening import HEAD_BYTES

RECORD_FORMATS = ("jsonl", "json", "csv", "tsv", "annif", "bibtex", "ris", "jats", "pdf", "text")
ARCHIVE_FORMATS = ("zip", "tar")
FORMATS = RECORD_FORMATS + ARCHIVE_FORMATS
ALIASES = {"ndjson": "jsonl", "bib": "bibtex", "xml": "jats", "txt": "text", "tgz": "tar"}
EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".ris": "ris",
    ".xml": "jats",
    ".nxml": "jats",
    ".pdf": "pdf",
    ".txt": "text",
    ".zip": "zip",
    ".tar": "tar",
}
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a member first, or an empty archive's end record
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BIBTEX_BLOCK = re.compile(r"^[ \t]*@[A-Za-z]+[ \t]*[{(]", re.MULTILINE)
_RIS_START = re.compile(r"^TY  -", re.MULTILINE)
_ANNIF_SUBJECTS = re.compile(r"^\s*(<[^<>\s]*>\s*)+$")


def normalise_format(format: str) -> str:
    """The canonical name of a format a caller asked for; SourceError for one we cannot read."""
    name = format.strip().lower()
    name = ALIASES.get(name, name)
    if name not in FORMATS:
        raise SourceError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
    return name


def detect_format(head: bytes, name: str, path: str, wanted: str | None = None) -> str:
    """The format of input ``name`` (decompressed) from its first bytes, else from the extension of ``path``.

    A ``wanted`` format overrides both, except that an archive stays an archive: a record format
    wanted for a ZIP or tar file is the format of its members."""
    if not head.strip():
        raise SourceError(f"{name}: the file is empty")
    if head.startswith(UTF16_BOMS):
        raise SourceError(f"{name}: UTF-16 text; save the file as UTF-8")
    from_content = _format_from_content(head)
    if wanted:
        return from_content if from_content in ARCHIVE_FORMATS and wanted in RECORD_FORMATS else wanted
    if from_content:
        return from_content
    extension = PurePosixPath(path.lower()).suffix
    if extension == ".tsv" and len(head) >= HEAD_BYTES and b"\n" not in head.lstrip():
        return "annif"  # a first line longer than the look-ahead is no header: a long Annif text
    if extension in EXTENSIONS:
        return EXTENSIONS[extension]
    if "," in _first_line(head):
        return "csv"
    raise SourceError(
        f"{name}: unrecognised format (expected JSON Lines, JSON, CSV, TSV, Annif TSV, BibTeX, RIS, "
        "JATS XML, PDF, plain text, ZIP or tar)"
    )


def _format_from_content(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):  # a PDF with junk before it is found by its extension
        return "pdf"
    if head.startswith(ZIP_MAGICS):
        return "zip"
    if head[257:262] == b"ustar":
        return "tar"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    first_line = _first_line(head)
    if text.startswith("<"):
        return "jats"
    if text.startswith("@") or (text.startswith("%") and _BIBTEX_BLOCK.search(text)):
        return "bibtex"
    if _RIS_START.search(text, 0, 4096):  # rispy and others number references on a line before TY
        return "ris"
    if text.startswith("["):
        return "json"
    if text.startswith("{"):
        return "json" if first_line.strip() == "{" else "jsonl"
    whole_first_line = b"\n" in head.lstrip() or len(head) < HEAD_BYTES
    if "\t" in first_line and whole_first_line:
        return "annif" if _ANNIF_SUBJECTS.match(first_line.rsplit("\t", 1)[1]) else "tsv"
    return None


def _first_line(head: bytes) -> str:
    """The first non-blank line of the head, as far as the head goes."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    return text.split("\n", 1)[0].rstrip("\r")
