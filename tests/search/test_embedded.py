"""What only the embedded engine promises: its query syntax, prefixes, and many writers on one file."""

import multiprocessing
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from search.backends import embedded
from search.backends.embedded import EmbeddedBackend, match_expression
from search.types import IndexedDocument, SearchQuery


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("   ", None),
        ("?!", ""),
        ("neural", '"neural"*'),
        ('"graph neural" AND (x', '"graph" "neural" "AND" "x"'),
        ("title:gr", '"title" "gr"'),
        ("graph Graph neural GRAPH graph", '"graph" "neural"*'),
    ],
)
def test_user_text_becomes_anded_quoted_terms(text, expected):
    assert match_expression(text) == expected


def test_the_last_word_matches_as_a_prefix(tmp_path, arxiv_documents):
    backend = EmbeddedBackend(tmp_path / "search.sqlite3")
    backend.index(arxiv_documents)
    olfactory = [d.id for d in arxiv_documents if "Olfactory" in d.title]
    assert [h.id for h in backend.search(SearchQuery(text="olfac")).hits] == olfactory
    assert backend.search(SearchQuery(text="olfac models")).total == 0


def _index_one_by_one(path: Path, documents: list[IndexedDocument]) -> None:
    backend = EmbeddedBackend(path)
    for document in documents:
        backend.index([document])
        backend.search(SearchQuery(text="language"))


def test_processes_write_while_another_reads(tmp_path, arxiv_documents):
    path = tmp_path / "search.sqlite3"
    reader = EmbeddedBackend(path)
    context = multiprocessing.get_context("spawn")
    writers = [
        context.Process(target=_index_one_by_one, args=(path, arxiv_documents[i::3])) for i in range(3)
    ]
    for writer in writers:
        writer.start()
    while any(w.is_alive() for w in writers):
        reader.search(SearchQuery(text="models", nodes=("cs",)))
    assert [w.exitcode for w in writers] == [0, 0, 0]
    assert reader.count() == len(arxiv_documents)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_threads_share_one_backend(tmp_path, arxiv_documents):
    backend = EmbeddedBackend(tmp_path / "search.sqlite3")

    def write_and_read(document: IndexedDocument) -> int:
        backend.index([document, replace(document, version=0, title="stale")])
        return backend.search(SearchQuery()).total

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(total >= 1 for total in pool.map(write_and_read, arxiv_documents))
    assert backend.count() == len(arxiv_documents)
    assert backend.search(SearchQuery(text="stale")).total == 0


def test_similar_reads_vectors_a_chunk_at_a_time_and_finds_what_reading_all_would(
    tmp_path, arxiv_documents, monkeypatch
):
    backend = EmbeddedBackend(tmp_path / "search.sqlite3")
    backend.index(arxiv_documents)
    vectors = np.array([d.vector for d in arxiv_documents])
    ids = np.array([d.id for d in arxiv_documents])
    monkeypatch.setattr(embedded, "SIMILAR_CHUNK", 4)
    for document in arxiv_documents[::7]:
        cosines = vectors @ np.asarray(document.vector)
        nearest = ids[np.argsort(-cosines, kind="stable")[:9]]
        hits = backend.similar(document.vector, k=9)
        assert [h.id for h in hits] == nearest.tolist()
        assert [h.score for h in hits] == pytest.approx(np.sort(cosines)[::-1][:9], abs=1e-5)
