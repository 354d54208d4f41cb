"""CSV and TSV files with a header row, read through a mapping from record fields to column names."""

import csv
from collections.abc import Iterator
from itertools import chain

from ingest.errors import RecordError, SourceError
from ingest.parsers.bounds import unicode_problem
from ingest.parsers.decoding import text_lines
from ingest.parsers.jsonl import LABEL_FIELDS
from ingest.parsers.limits import max_member_bytes
from ingest.parsers.opening import Source
from ingest.parsers.records import build_record, split_list
from ingest.types import ParsedRecord

FIELDS = ("id", "title", "abstract", "full_text", "labels")
REQUIRED = ("id", "title")
DEFAULT_MAPPING = {"id": "id", "title": "title", "abstract": "abstract", "full_text": "full_text"}
LABEL_SEPARATORS = "|;"  # the first one present in a labels cell splits it


def parse_delimited(
    source: Source, delimiter: str | None, mapping: dict[str, str] | None = None
) -> Iterator[ParsedRecord | RecordError]:
    """Stream the rows of a CSV (``delimiter`` None: "," or ";", whichever the header has more of)
    or TSV file as records. ``mapping`` names the column of each field (id, title, abstract,
    full_text, labels); unnamed fields use the default columns, the labels column defaulting to the
    first of "categories", "subjects", "labels" present. Other columns go to the metadata."""
    csv.field_size_limit(max(csv.field_size_limit(), max_member_bytes()))  # full texts fit in a cell
    lines = text_lines(source.stream, source.name)
    first = next(lines, None)
    if first is None:
        raise SourceError(f"{source.name}: the file is empty")
    if problem := unicode_problem(first[1]):
        raise SourceError(f"{source.name}: line 1 (the header): {problem}")
    if delimiter is None:
        delimiter = ";" if first[1].count(";") > first[1].count(",") else ","
    reader = csv.reader(chain([first[1]], (text for _, text in lines)), delimiter=delimiter)
    try:
        header = [cell.strip() for cell in next(reader)]
    except csv.Error as error:
        raise SourceError(f"{source.name}: line 1: unreadable header ({error})") from error
    columns = _columns(header, mapping or {}, source.name)
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield RecordError(source.name, line, "", f"unreadable row ({error})")
            continue
        if not any(cell.strip() for cell in row):
            continue
        try:
            yield _record(row, header, columns, source.name, line)
        except RecordError as error:
            yield error


def _columns(header: list[str], mapping: dict[str, str], name: str) -> dict[str, int]:
    """The column index of each mapped field; SourceError for a missing required or mapped column."""
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise SourceError(f"{name}: the mapping names unknown fields {sorted(unknown)}; fields: {FIELDS}")
    wanted = {**DEFAULT_MAPPING, **mapping}
    if "labels" not in mapping:
        wanted["labels"] = next((c for c in LABEL_FIELDS if c in header), "")
    columns = {}
    for field, column in wanted.items():
        if column in header:
            columns[field] = header.index(column)
        elif field in REQUIRED or field in mapping:
            raise SourceError(
                f"{name}: no column {column!r} for the field {field!r}; the header has {', '.join(header)}"
            )
    return columns


def _record(row: list[str], header: list[str], columns: dict[str, int], name: str, line: int) -> ParsedRecord:
    if len(row) > len(header):
        raise RecordError(name, line, "", f"{len(row)} cells but {len(header)} columns (a stray delimiter?)")
    cells = row + [""] * (len(header) - len(row))
    values = {field: cells[index].strip() for field, index in columns.items()}
    mapped = set(columns.values())
    metadata = {
        column: cell.strip()
        for index, (column, cell) in enumerate(zip(header, cells))
        if index not in mapped and column and cell.strip()
    }
    return build_record(
        name,
        line,
        values["id"],
        values["title"],
        abstract=values.get("abstract", ""),
        full_text=values.get("full_text", ""),
        metadata=metadata,
        labels=split_list(values.get("labels", ""), LABEL_SEPARATORS),
    )
