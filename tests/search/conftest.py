"""Index documents made from real arXiv records, with subjects closed over the arXiv taxonomy."""

import gzip
import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from search.backends.base import SearchBackend
from search.types import IndexedDocument
from taxonomy.readers import read_nodes_csv
from taxonomy.tree import Tree
from tests.conftest import ARXIV_DEV, ARXIV_NODES, SHARED_DATA

ARXIV_TRAIN = SHARED_DATA / "corpora" / "arxiv-2025-train.jsonl.gz"
VECTOR_DIMS = 384
TAXONOMY_ID = 1


def read_records(path: Path, count: int) -> list[dict]:
    """The first ``count`` records of a gzipped JSON-lines corpus."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in itertools.islice(handle, count)]


@pytest.fixture(scope="session")
def arxiv_tree() -> Tree:
    """The arXiv hierarchy, read straight from its CSV (no database needed)."""
    return Tree(parents={row.code: row.parents for row in read_nodes_csv(ARXIV_NODES)})


@pytest.fixture(scope="session")
def arxiv_documents(arxiv_tree: Tree) -> list[IndexedDocument]:
    """24 dev and 6 train records, in two corpora, with seeded random unit vectors. A librarian has
    accepted the first (the primary) category of two documents in three; the others are suggested."""
    records = [("arxiv-2025-dev", r) for r in read_records(ARXIV_DEV, 24)]
    records += [("arxiv-2025-train", r) for r in read_records(ARXIV_TRAIN, 6)]
    vectors = np.random.default_rng(7).normal(size=(len(records), VECTOR_DIMS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return [
        IndexedDocument(
            id=100 + i,
            corpus=corpus,
            taxonomy_id=TAXONOMY_ID,
            external_id=record["id"],
            title=record["title"],
            abstract=record["abstract"],
            node_codes=sorted(arxiv_tree.closure(record["categories"])),
            accepted_codes=sorted(arxiv_tree.closure(record["categories"][:1])) if i % 3 else [],
            leaf_codes=record["categories"],
            version=1,
            vector=vectors[i].tolist(),
        )
        for i, (corpus, record) in enumerate(records)
    ]


@pytest.fixture
def indexed(search_backend: SearchBackend, arxiv_documents: list[IndexedDocument]) -> SearchBackend:
    """The backend under test holding the arXiv documents."""
    assert search_backend.index(arxiv_documents) == len(arxiv_documents)
    return search_backend
