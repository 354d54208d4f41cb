"""Records nested deeper than INGEST_MAX_NESTING fail alone, named by file, entry or line and
field, refused while they stream (in bounded memory), and the records after them go on; XML nested
deeper than JATS goes stops the file where it starts."""

import json

import pytest

from ingest.errors import SourceError
from ingest.parsers import parse_file
from ingest.spool import read_spool, write_spool
from ingest.storing import store_records
from library.models import Corpus, Document
from tests.ingest import writers
from tests.ingest.memory import parse_in_child
from tests.ingest.test_parser_errors import errors, ids, parse

SAMPLES = writers.samples(4)
FIRST, SECOND, THIRD, FOURTH = SAMPLES
REASON = "nested deeper than 32 levels (INGEST_MAX_NESTING)"


def nested(depth: int) -> object:
    """A value ``depth`` levels deep: lists in lists around a string."""
    value: object = "bottom"
    for _ in range(depth):
        value = [value]
    return value


def record(sample: writers.Sample, **extra) -> dict:
    return {"id": sample.id, "title": sample.title, "abstract": sample.abstract, **extra}


def test_a_json_array_entry_nested_too_deep_is_an_error_and_the_next_entries_go_on(tmp_path):
    entries = [record(FIRST), record(SECOND, extra={"deep": nested(40)}), record(THIRD)]

    results = parse(tmp_path, "r.json", json.dumps(entries).encode())

    assert ids(results) == [FIRST.id, THIRD.id]
    assert errors(results) == [("r.json", 2, "extra")]
    assert results[1].reason == REASON


def test_a_single_json_object_nested_too_deep_is_an_error(tmp_path):
    results = parse(tmp_path, "one.json", json.dumps(record(FIRST, authors=nested(32))).encode())

    assert errors(results) == [("one.json", 1, "authors")]


def test_metadata_nested_800_and_450_deep_fails_those_records_only(tmp_path):
    lines = [record(FIRST), record(SECOND, meta=nested(800)), record(THIRD, meta=nested(450)), record(FOURTH)]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()

    results = parse(tmp_path, "r.jsonl", data)

    assert ids(results) == [FIRST.id, FOURTH.id]
    assert errors(results) == [("r.jsonl", 2, "meta"), ("r.jsonl", 3, "meta")]
    assert {error.reason for error in results[1:3]} == {REASON}


def test_a_line_with_more_brackets_than_the_limit_but_not_deeper_gives_the_same_record(tmp_path, settings):
    authors = [{"name": f"Author {n}", "ids": {"orcid": f"0000-{n}"}} for n in range(5)]
    data = (json.dumps(record(FIRST, authors=authors, year=2025, score=0.5, open=True)) + "\n").encode()
    (loaded,) = parse(tmp_path / "loaded", "r.jsonl", data)  # 12 brackets: json.loads

    settings.INGEST_MAX_NESTING = 4  # as deep as the record goes, fewer than its brackets: built from events
    (streamed,) = parse(tmp_path / "streamed", "r.jsonl", data)

    assert streamed == loaded and streamed.metadata["authors"] == authors
    settings.INGEST_MAX_NESTING = 3
    assert errors(parse(tmp_path, "r.jsonl", data)) == [("r.jsonl", 1, "authors")]


def test_a_streamed_line_keeps_the_json_errors_of_a_loaded_one(tmp_path, settings):
    settings.INGEST_MAX_NESTING = 2  # three brackets a line: built from events
    data = b'{"id": "a", "title": "T", "x": [1], "y": []} trailing\n{"id": "b", "title": "T", "x": [1, ], "y": []}\n'

    results = parse(tmp_path, "r.jsonl", data)

    assert errors(results) == [("r.jsonl", 1, ""), ("r.jsonl", 2, "")]
    assert all(error.reason.startswith("invalid JSON: ") for error in results)


@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl"])
def test_a_200_kb_value_nested_100000_deep_is_refused_in_a_few_megabytes(tmp_path, name):
    """The issue's input: a 200 KB JSON array nested 100,000 deep grew a worker to 21.7 GB."""
    deep = b"[" * 100_000 + b"]" * 100_000
    lines = name.endswith(".jsonl")
    data = writers.jsonl([FIRST]) + deep + b"\n" + writers.jsonl([SECOND]) if lines else deep
    warm_up = writers.write(tmp_path / f"warm-up{name[4:]}", b"[" * 40 + b"]" * 40 + b"\n")
    path = writers.write(tmp_path / name, data)

    results, grown = parse_in_child(warm_up, path)

    if lines:
        assert results == [FIRST.id, [name, 2, "", REASON], SECOND.id]
    else:
        assert results == [[name, 1, "", REASON]]
    assert grown < 4 * 1024 * 1024, grown


def test_nesting_a_field_to_the_limit_is_fine(tmp_path):
    results = list(
        parse_file(writers.write(tmp_path / "r.json", json.dumps([record(FIRST, x=nested(31))]).encode()))
    )

    assert ids(results) == [FIRST.id] and results[0].metadata["x"] == nested(31)


@pytest.mark.parametrize("depth", [250, 5000])
def test_xml_nested_deeper_than_jats_goes_stops_the_file_after_the_articles_before_it(tmp_path, depth):
    sections = "<sec>" * depth + "<p>Deep down.</p>" + "</sec>" * depth
    deep = writers.jats_article(SECOND).replace("<body>", f"<body>{sections}")
    data = f"<articles>{writers.jats_article(FIRST)}{deep}{writers.jats_article(THIRD)}</articles>"
    results = parse_file(writers.write(tmp_path / "r.xml", data.encode()))

    assert next(results).external_id == FIRST.id
    if depth < 256:  # within the bound: read, sections and all
        assert [r.external_id for r in results] == [SECOND.id, THIRD.id]
        return
    with pytest.raises(
        SourceError, match=r"^r\.xml: XML elements nested deeper than 256 levels \(in entry 2\)"
    ):
        next(results)


def test_a_nesting_limit_set_past_what_python_recurses_through_is_held_at_200(tmp_path, settings):
    settings.INGEST_MAX_NESTING = 100_000
    deep = json.dumps(record(SECOND, x=[])).replace("[]", "[" * 5000 + "]" * 5000)
    lines = [json.dumps(record(FIRST, x=nested(199))), deep, json.dumps(record(THIRD))]

    results = parse(tmp_path, "r.jsonl", "".join(line + "\n" for line in lines).encode())

    assert ids(results) == [FIRST.id, THIRD.id] and errors(results) == [("r.jsonl", 2, "x")]
    assert results[1].reason == "nested deeper than 200 levels (INGEST_MAX_NESTING)"


def test_a_record_nested_800_deep_loses_nothing_else_through_the_spool_and_the_catalogue(
    tmp_path, arxiv_taxonomy
):
    """The issue's job: one of four records with metadata nested 800 deep stored 0 of 4."""
    deep = json.dumps(record(SECOND, categories=list(SECOND.labels), meta=[])).replace(
        "[]", "[" * 800 + "]" * 800
    )
    lines = [json.dumps(record(s, categories=list(s.labels))) for s in (FIRST, THIRD, FOURTH)]
    path = writers.write(tmp_path / "r.jsonl", "\n".join([lines[0], deep, *lines[1:]]).encode())
    spool = tmp_path / "spool.jsonl"

    assert write_spool(parse_file(path), spool, 2, lambda: True) == 4
    stored = store_records(
        Corpus.objects.create(name="c", taxonomy=arxiv_taxonomy), [i for i, _ in read_spool(spool, 0)]
    )

    assert [(f.file, f.line, f.field) for f in stored.failures] == [("r.jsonl", 2, "meta")]
    assert sorted(Document.objects.values_list("external_id", flat=True)) == sorted(
        [FIRST.id, THIRD.id, FOURTH.id]
    )
    assert not stored.warnings
