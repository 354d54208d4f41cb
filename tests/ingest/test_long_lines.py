"""A line over INGEST_MAX_MEMBER_BYTES in a format of one record a line (JSON Lines, Annif TSV) fails
alone, passed over without being held whole, and the lines after it go on."""

import tracemalloc

import pytest

from ingest.errors import RecordError
from ingest.parsers import parse_file
from tests.ingest import writers
from tests.ingest.test_parser_errors import errors, parse

SAMPLES = writers.samples(2)
FIRST, SECOND = SAMPLES
LIMIT = 10_000


@pytest.mark.parametrize("name, writer", [("r.jsonl", writers.jsonl), ("corpus.tsv", writers.annif_tsv)])
def test_a_line_over_the_limit_is_an_error_and_the_next_lines_go_on(tmp_path, settings, name, writer):
    settings.INGEST_MAX_MEMBER_BYTES = LIMIT
    long_line = b'{"id": "long", "title": "' + b"x" * 50_000 + b'"}\t<a>\n'
    data = writer([FIRST]) + long_line + writer([SECOND]) + long_line.rstrip()

    results = parse(tmp_path, name, data)

    assert [r.title for r in results if not isinstance(r, RecordError)] == [FIRST.title, SECOND.title]
    assert errors(results) == [(name, 2, ""), (name, 4, "")]
    assert results[1].reason == "longer than 10000 bytes (INGEST_MAX_MEMBER_BYTES)"


def test_a_line_of_exactly_the_limit_is_read_and_one_byte_more_is_not(tmp_path, settings):
    line = writers.jsonl([FIRST])
    settings.INGEST_MAX_MEMBER_BYTES = len(line)

    assert errors(parse(tmp_path, "r.jsonl", line + line.replace(b"}", b", }"))) == [("r.jsonl", 2, "")]


def test_a_line_over_the_limit_is_passed_over_without_being_held(tmp_path, settings):
    settings.INGEST_MAX_MEMBER_BYTES = 1024 * 1024
    path = writers.write(tmp_path / "r.jsonl", writers.jsonl([FIRST]))
    with path.open("ab") as out:
        out.write(b'{"id": "huge", "title": "')
        for _ in range(40):
            out.write(b"x" * 1024 * 1024)
        out.write(b'"}\n' + writers.jsonl([SECOND]))

    tracemalloc.start()
    try:
        results = list(parse_file(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert [r.line for r in results] == [1, 2, 3] and isinstance(results[1], RecordError)
    assert peak < 8 * 1024 * 1024, peak  # about the limit and a chunk, copied: not the 40 MB line
