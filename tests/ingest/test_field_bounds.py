"""A title, abstract, id or metadata over its bound fails its record alone, naming file, record and
field, in every format; a full text over its bound is cut, and the record stored with a warning."""

import gzip
import json
from dataclasses import replace

import pytest

from ingest.errors import RecordError
from ingest.parsers.bounds import MAX_ID_CHARS
from ingest.parsers.records import build_record
from ingest.spool import read_spool, write_spool
from ingest.storing import store_records
from library.models import Corpus, Document
from tests.conftest import SHARED_DATA
from tests.ingest import writers
from tests.ingest.test_nesting import nested
from tests.ingest.test_parser_errors import errors, ids, parse

SAMPLES = writers.samples(3)
FIRST, SECOND, THIRD = SAMPLES
FULL_TEXTS = SHARED_DATA / "corpora" / "unarxive-fulltext-sample.jsonl.gz"
FORMATS = {
    "r.jsonl": writers.jsonl,
    "r.json": writers.json_array,
    "r.csv": writers.delimited,
    "r.bib": writers.bibtex,
    "r.ris": writers.ris,
    "r.xml": writers.jats,
}
OVERSIZED = {  # (record, setting, its default): over the default bounds
    "title": (
        replace(SECOND, title=SECOND.title + " and then some more" * 120),
        "INGEST_MAX_TITLE_CHARS",
        2000,
    ),
    "abstract": (
        replace(SECOND, abstract=SECOND.abstract + " More words." * 10_000),
        "INGEST_MAX_ABSTRACT_CHARS",
        100_000,
    ),
}


@pytest.mark.parametrize("field", OVERSIZED)
@pytest.mark.parametrize("name", FORMATS)
def test_a_title_or_abstract_over_its_bound_fails_that_record_only(tmp_path, name, field):
    oversized, setting, limit = OVERSIZED[field]

    results = parse(tmp_path, name, FORMATS[name]([FIRST, oversized, THIRD]))

    assert ids(results) == [FIRST.id, THIRD.id]
    first, error, third = results
    assert (error.file, error.field) == (name, field) and first.line < error.line < third.line
    assert error.reason.endswith(f"characters, more than {limit} ({setting})")


@pytest.mark.parametrize(
    "name, data",
    [
        ("r.jsonl", lambda notes: json.dumps({"id": "x", "title": "T", "notes": notes}).encode() + b"\n"),
        ("r.csv", lambda notes: f'id,title,notes\nx,T,"{notes}"\n'.encode()),
        ("r.bib", lambda notes: f"@article{{x, title={{T}}, note={{{notes}}}}}\n".encode()),
    ],
)
def test_metadata_over_its_bound_fails_the_record(tmp_path, name, data):
    first = FORMATS[name]([FIRST]) if name != "r.csv" else b""
    results = parse(tmp_path, name, first + data("n" * 70_000))

    assert errors(results)[0][::2] == (name, "metadata")
    assert results[-1].reason == "more than 65536 bytes as JSON (INGEST_MAX_METADATA_BYTES)"
    assert all(r.metadata.get("notes", "") == "" for r in results if not isinstance(r, RecordError))


def test_metadata_just_under_its_bound_is_kept(tmp_path, settings):
    settings.INGEST_MAX_METADATA_BYTES = 1000
    data = json.dumps({"id": "x", "title": "T", "notes": "n" * 980}).encode() + b"\n"
    (record,) = parse(tmp_path, "r.jsonl", data)

    assert len(json.dumps(record.metadata)) == 993
    assert errors(parse(tmp_path, "s.jsonl", data.replace(b"n" * 980, b"\xc3\xa9" * 980))) == [
        ("s.jsonl", 1, "metadata")  # 980 characters, but 1,960 bytes
    ]


def test_an_id_longer_than_the_catalogue_takes_fails_the_record(tmp_path):
    data = writers.jsonl([replace(FIRST, id="x" * (MAX_ID_CHARS + 1)), SECOND])

    results = parse(tmp_path, "r.jsonl", data)

    assert ids(results) == [SECOND.id] and errors(results) == [("r.jsonl", 1, "id")]
    assert Document._meta.get_field("external_id").max_length == MAX_ID_CHARS


def test_metadata_of_any_format_is_walked_without_recursion():
    with pytest.raises(RecordError) as raised:
        build_record("r.bib", 7, "x", "T", metadata={"fine": [1, 2], "deep": nested(100_000)})

    assert (raised.value.line, raised.value.field) == (7, "deep")
    assert "INGEST_MAX_NESTING" in raised.value.reason


def test_a_full_text_over_its_bound_is_cut_at_a_space_with_a_warning(tmp_path, settings):
    settings.INGEST_MAX_FULL_TEXT_CHARS = 10_000
    with gzip.open(FULL_TEXTS, "rt", encoding="utf-8") as lines:
        paper = json.loads(next(lines))
    assert len(paper["full_text"]) > 20_000

    (record,) = parse(tmp_path, "papers.jsonl", (json.dumps(paper) + "\n").encode())

    assert 9_900 < len(record.full_text) <= 10_000
    assert paper["full_text"].strip().startswith(record.full_text)
    assert paper["full_text"].strip()[len(record.full_text)].isspace()
    assert record.title == paper["title"].strip() and record.abstract == paper["abstract"].strip()
    ((field, reason),) = record.warnings
    assert field == "full_text" and "(INGEST_MAX_FULL_TEXT_CHARS)" in reason
    assert reason.startswith(f"{len(paper['full_text'].strip())} characters, more than 10000")


def test_a_line_with_a_200_mb_full_text_keeps_two_million_characters(tmp_path):
    """The issue's input, scaled down to 5 MB: a line whose full text then crashed the classifier."""
    text = "word " * 1_000_000
    data = json.dumps({"id": "big", "title": "A title", "full_text": text}).encode() + b"\n"

    record, after = parse(tmp_path, "big.jsonl", data + writers.jsonl([FIRST]))

    assert len(record.full_text) == 1_999_999 and record.full_text.endswith("word")
    assert record.warnings[0][0] == "full_text" and after.external_id == FIRST.id


def test_warnings_survive_the_spool_and_are_reported_when_stored(tmp_path, arxiv_taxonomy, settings):
    settings.INGEST_MAX_FULL_TEXT_CHARS = 20
    record = build_record("r.jsonl", 3, "x", "T", full_text="one two three four five six seven")
    spool = tmp_path / "spool.jsonl"
    write_spool([record], spool, 10, lambda: True)
    ((spooled, _),) = list(read_spool(spool, 0))
    assert spooled == record and record.full_text == "one two three four"

    stored = store_records(Corpus.objects.create(name="c", taxonomy=arxiv_taxonomy), [spooled])

    (error,) = stored.warnings
    assert (error.file, error.line, error.field) == ("r.jsonl", 3, "full_text")
    assert Document.objects.get().full_text == "one two three four"
