"""Bytes that are not UTF-8 fail the record that holds them, naming file, record and field; the
valid records around them are kept. A file that is binary, or a CSV header that is not UTF-8,
still fails whole."""

import json

import pytest

from ingest.errors import RecordError, SourceError
from ingest.parsers import parse_file
from tests.ingest import writers
from tests.ingest.test_parser_errors import errors, ids, parse

SAMPLES = writers.samples(3)
FIRST, SECOND, THIRD = SAMPLES
LINE_FORMATS = {
    "r.jsonl": writers.jsonl,
    "r.csv": writers.delimited,
    "r.tsv": lambda samples: writers.delimited(samples, "\t"),
    "corpus.tsv": writers.annif_tsv,
    "r.bib": writers.bibtex,
    "r.ris": writers.ris,
}


def latin1_in_abstract(data: bytes) -> bytes:
    """The data with one byte of the second record's abstract replaced by Latin-1 "é"."""
    offset = data.index(SECOND.abstract[40:80].encode())
    return data[:offset] + b"\xe9" + data[offset + 1 :]


@pytest.mark.parametrize("name", LINE_FORMATS)
def test_a_byte_that_is_not_utf8_fails_its_record_and_the_others_are_kept(tmp_path, name):
    results = parse(tmp_path, name, latin1_in_abstract(LINE_FORMATS[name](SAMPLES)))

    first, error, third = results
    if name == "corpus.tsv":  # Annif records have no id of their own: the file and line
        assert (first.title, third.title) == (FIRST.title, THIRD.title)
    else:
        assert ids(results) == [FIRST.id, THIRD.id]
    assert isinstance(error, RecordError) and (error.file, error.field) == (name, "abstract")
    assert first.line < error.line < third.line
    assert error.reason.startswith("not UTF-8 text: byte 0xe9 at character ")


def test_a_bad_byte_on_line_2_of_json_lines_loses_nothing_else(tmp_path):
    data = writers.jsonl([FIRST]) + b'{"id": "x", "title": "Z\xfcrich"}\n' + writers.jsonl([SECOND, THIRD])

    results = parse(tmp_path, "r.jsonl", data)

    assert ids(results) == [FIRST.id, SECOND.id, THIRD.id]
    assert errors(results) == [("r.jsonl", 2, "title")]
    assert results[1].reason == "not UTF-8 text: byte 0xfc at character 2; save the file as UTF-8"


@pytest.mark.parametrize(
    "name, data",
    [
        ("r.jsonl", b'{"id": "x", "title": "T", "venue": "Z\xfcrich"}\n'),
        ("r.csv", b"id,title,venue\nx,T,Z\xfcrich\n"),
        ("r.bib", b"@inproceedings{x, title={T}, venue={Z\xfcrich}}\n"),
    ],
)
def test_a_bad_byte_in_metadata_names_its_key(tmp_path, name, data):
    assert errors(parse(tmp_path, name, data)) == [(name, 1 + name.endswith(".csv"), "venue")]


def test_a_bad_byte_in_a_json_key_gives_an_error_that_can_be_stored(tmp_path):
    (error,) = parse(tmp_path, "r.jsonl", b'{"id": "x", "title": "T", "caf\xe9": 1}\n')

    assert error.field == "caf?"  # the byte that was not UTF-8 as "?": the error itself can be stored


def test_an_unpaired_surrogate_escaped_in_json_fails_the_record(tmp_path):
    data = json.dumps({"id": "x", "title": "T", "abstract": "half \ud800 a pair"}).encode() + b"\n"
    assert b"\\ud800" in data

    error, record = parse(tmp_path, "r.jsonl", data + writers.jsonl([FIRST]))

    assert (error.field, error.reason) == (
        "abstract",
        "an unpaired surrogate U+D800 at character 6, not valid Unicode",
    )


def test_a_latin1_text_document_is_a_record_error(tmp_path):
    (error,) = parse(tmp_path, "paper.txt", "A title\n\nCaf\u00e9 society.\n".encode("latin-1"))

    assert (error.file, error.line, error.field) == ("paper.txt", 1, "abstract")


def test_a_csv_header_that_is_not_utf8_fails_the_file(tmp_path):
    with pytest.raises(SourceError, match=r"^r\.csv: line 1 \(the header\): not UTF-8 text: byte 0xe9"):
        parse(tmp_path, "r.csv", b"id,title,ann\xe9e\nx,T,2025\n")


def test_an_escaped_unpaired_surrogate_in_a_json_array_stops_the_file_after_the_entries_before_it(tmp_path):
    entries = json.dumps([{"id": "a", "title": "T"}, {"id": "b", "title": "half \udce9"}]).encode()
    results = parse_file(writers.write(tmp_path / "r.json", entries))

    assert next(results).external_id == "a"
    with pytest.raises(SourceError, match=r"^r\.json: invalid JSON in entry 2: an escaped surrogate"):
        next(results)
