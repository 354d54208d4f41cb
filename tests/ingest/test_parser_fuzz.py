"""Arbitrary bytes and mutated valid files, in every format: parsing raises nothing but SourceError.

Examples are derandomised (the same on every run, nothing stored) and few, so that the module
runs in seconds; the deadline catches a parser that would hang on some input."""

import gzip
import io
import tarfile
import zipfile
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.errors import RecordError, SourceError
from ingest.parsers import parse_file
from ingest.types import ParsedRecord
from tests.ingest import writers

SAMPLES = writers.samples(2)
FUZZ = settings(
    max_examples=25,
    deadline=timedelta(seconds=3),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TOKENS = [
    b"{",
    b"}",
    b"[",
    b"]",
    b'"',
    b",",
    b"\t",
    b"\n",
    b"\r",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"@",
    b"<",
    b">",
]
TOKENS += [
    b"&a;",
    b"<!ENTITY a 'x'>",
    b"TY  - ",
    b"ER  - ",
    b"%PDF-",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\\",
    b"$",
]


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _tar(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


_text, _subjects = writers.annif_document(SAMPLES[0])
_members = {
    "a.bib": writers.bibtex(SAMPLES),
    "b.jsonl": writers.jsonl(SAMPLES),
    "c.txt": _text,
    "c.key": _subjects,
}
SEEDS = {  # format -> (file name, a valid file)
    "jsonl": ("r.jsonl", writers.jsonl(SAMPLES)),
    "json": ("r.json", writers.json_array(SAMPLES)),
    "csv": ("r.csv", writers.delimited(SAMPLES)),
    "tsv": ("r.tsv", writers.delimited(SAMPLES, "\t")),
    "annif": ("r.tsv", writers.annif_tsv(SAMPLES)),
    "bibtex": ("r.bib", writers.bibtex(SAMPLES)),
    "ris": ("r.ris", writers.ris(SAMPLES)),
    "jats": ("r.xml", writers.jats(SAMPLES)),
    "pdf": ("r.pdf", writers.paper_pdf(SAMPLES[0])),
    "text": ("r.txt", _text),
    "zip": ("r.zip", _zip(_members)),
    "tar": ("r.tar", _tar(_members)),
}


@st.composite
def mutations(draw, seed: bytes) -> bytes:
    """A valid file with a few bytes flipped, inserted, deleted, repeated or cut off."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        kind = draw(st.sampled_from(["flip", "token", "insert", "delete", "repeat", "truncate"]))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif kind == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 256))]
        else:
            del data[at:]
    return bytes(data)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def parse_only_source_errors(path, **options) -> None:
    """Parse to the end: records and record errors are fine, SourceError is fine, nothing else is."""
    try:
        results = list(parse_file(path, **options))
    except SourceError:
        return
    assert all(isinstance(r, ParsedRecord | RecordError) for r in results)


@pytest.mark.parametrize("format", SEEDS)
@FUZZ
@given(data=st.binary(max_size=3000))
def test_arbitrary_bytes_in_any_format(folder, format, data):
    name, _ = SEEDS[format]
    parse_only_source_errors(writers.write(folder / name, data), format=format)


@pytest.mark.parametrize("format", SEEDS)
@FUZZ
@given(data=st.data())
def test_mutated_files_detected_or_forced(folder, format, data):
    name, seed = SEEDS[format]
    mutated = data.draw(mutations(seed))
    path = writers.write(folder / name, mutated)
    parse_only_source_errors(path)
    parse_only_source_errors(path, format=format)


@pytest.mark.parametrize("format", SEEDS)
@FUZZ
@given(data=st.data())
def test_mutated_files_inside_gzip_and_corrupt_gzip(folder, format, data):
    name, seed = SEEDS[format]
    mutated = data.draw(mutations(seed))
    parse_only_source_errors(writers.write(folder / f"{name}.gz", gzip.compress(mutated)))
    parse_only_source_errors(writers.write(folder / f"{name}.gz", data.draw(mutations(gzip.compress(seed)))))
