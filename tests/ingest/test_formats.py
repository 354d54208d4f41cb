"""The same real records come out of every input format, plain and gzip-compressed."""

import pytest

from ingest.errors import RecordError
from ingest.parsers import parse_file
from ingest.types import ParsedRecord
from tests.ingest import writers

SAMPLES = writers.samples(5)

# file name -> the file's bytes, for every format that holds many records
MANY_RECORDS = {
    "records.jsonl": writers.jsonl,
    "records.json": writers.json_array,
    "records.csv": writers.delimited,
    "records.tsv": lambda records: writers.delimited(records, "\t"),
    "records.bib": writers.bibtex,
    "records.ris": writers.ris,
    "records.xml": writers.jats,
}


def summary(results: list) -> list[tuple]:
    """What must survive every format: id, title, abstract (spacing aside) and labels."""
    assert all(isinstance(r, ParsedRecord) for r in results), [
        r for r in results if isinstance(r, RecordError)
    ]
    return [(r.external_id, r.title, " ".join(r.abstract.split()), r.labels) for r in results]


def expected(records: list[writers.Sample]) -> list[tuple]:
    return [(r.id, r.title, r.abstract, r.labels) for r in records]


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("file_name", MANY_RECORDS)
def test_every_format_gives_the_same_records(tmp_path, file_name, compressed):
    data = MANY_RECORDS[file_name](SAMPLES)
    name = file_name + ".gz" if compressed else file_name
    path = writers.write(tmp_path / name, writers.gzipped(data) if compressed else data)

    results = list(parse_file(path))

    assert summary(results) == expected(SAMPLES)
    assert {r.file for r in results} == {name}


@pytest.mark.parametrize("file_name", MANY_RECORDS)
def test_content_tells_the_format_whatever_the_name(tmp_path, file_name):
    """Uploads keep their bytes under any name: the first bytes decide (CSV by its commas)."""
    path = writers.write(tmp_path / "upload", MANY_RECORDS[file_name](SAMPLES))

    assert summary(list(parse_file(path, name="upload.dat"))) == expected(SAMPLES)


def test_format_override_beats_the_extension(tmp_path):
    path = writers.write(tmp_path / "records.txt", writers.delimited(SAMPLES, "\t"))

    assert summary(list(parse_file(path, format="tsv"))) == expected(SAMPLES)


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_annif_tsv_gives_titles_abstracts_and_subject_uris(tmp_path, compressed):
    data = writers.annif_tsv(SAMPLES)
    name = "corpus.tsv.gz" if compressed else "corpus.tsv"
    path = writers.write(tmp_path / name, writers.gzipped(data) if compressed else data)

    results = list(parse_file(path))

    assert [row[1:] for row in summary(results)] == [row[1:] for row in expected(SAMPLES)]
    assert [r.external_id for r in results] == [f"{name}:{line}" for line in range(1, len(SAMPLES) + 1)]


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_a_pdf_gives_its_paper(tmp_path, compressed):
    sample = SAMPLES[0]
    data = writers.paper_pdf(sample)
    name = f"{sample.id}.pdf.gz" if compressed else f"{sample.id}.pdf"
    path = writers.write(tmp_path / name, writers.gzipped(data) if compressed else data)

    (record,) = parse_file(path)

    assert summary([record]) == expected([sample])
    assert record.full_text.startswith(sample.title)
    assert "1 Introduction" in record.full_text and record.full_text.count("The body of the paper") == 60
    assert record.metadata["pages"] == 2


def test_a_pdf_without_a_title_is_titled_by_its_first_line(tmp_path):
    sample = SAMPLES[1]
    path = writers.write(tmp_path / "paper.pdf", writers.paper_pdf(sample, with_title=False))

    (record,) = parse_file(path)

    assert (record.external_id, record.title) == ("paper", sample.title)
    assert " ".join(record.abstract.split()) == sample.abstract


def test_a_folder_of_annif_documents_and_subject_files(tmp_path):
    for sample in SAMPLES:
        text, subjects = writers.annif_document(sample)
        writers.write(tmp_path / "corpus" / f"{sample.id}.txt", text)
        writers.write(tmp_path / "corpus" / f"{sample.id}.key", subjects)

    results = list(parse_file(tmp_path / "corpus"))

    assert sorted(summary(results)) == sorted(expected(SAMPLES))
    assert all(r.full_text.endswith("The body of the paper.") for r in results)
    assert {r.file for r in results} == {f"corpus:{s.id}.txt" for s in SAMPLES}


def test_a_plain_text_document_is_one_record(tmp_path):
    text, _ = writers.annif_document(SAMPLES[2])
    path = writers.write(tmp_path / "paper.txt", "\ufeff".encode() + text)

    (record,) = parse_file(path)

    assert summary([record]) == [("paper", SAMPLES[2].title, SAMPLES[2].abstract, ())]
    assert record.full_text.endswith("The body of the paper.")
