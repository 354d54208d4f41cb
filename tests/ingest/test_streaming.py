"""Parsing streams: the memory a parser holds does not grow with the size of the file."""

import tracemalloc

import pytest

from ingest.parsers import parse_file
from tests.ingest import writers

RECORDS = writers.samples(1200)
STREAMED = {
    "r.jsonl": writers.jsonl,
    "r.json": writers.json_array,
    "r.csv": writers.delimited,
    "r.tsv": writers.annif_tsv,
    "r.bib": writers.bibtex,
    "r.ris": writers.ris,
    "r.xml": writers.jats,
}


def peak_memory(path) -> tuple[int, int]:
    """``(records, peak bytes allocated)`` while reading every record of a file and dropping it."""
    tracemalloc.start()
    try:
        count = sum(1 for _ in parse_file(path))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", STREAMED)
def test_memory_does_not_grow_with_the_file(tmp_path, name):
    small = writers.write(tmp_path / "small" / name, STREAMED[name](RECORDS[:300]))
    large = writers.write(tmp_path / "large" / name, STREAMED[name](RECORDS))

    (small_count, small_peak), (large_count, large_peak) = peak_memory(small), peak_memory(large)

    assert (small_count, large_count) == (300, 1200)
    assert large.stat().st_size > 1_500_000  # four times the small file
    assert large_peak < 1.3 * small_peak + 100_000, (small_peak, large_peak)
