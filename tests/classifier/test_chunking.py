"""Long documents are read in bounded chunks and pooled into one vector."""

import gzip
import json
from itertools import islice

import numpy as np
import pytest

from classifier.chunking import CHUNK_WORDS, HEAD_CHARS, TEXT_CHARS, DocumentText, chunks, encode_documents
from classifier.encoders import get_encoder
from tests.conftest import SHARED_DATA

FULL_TEXTS = SHARED_DATA / "corpora" / "unarxive-fulltext-sample.jsonl.gz"


@pytest.fixture(scope="module")
def papers() -> list[DocumentText]:
    with gzip.open(FULL_TEXTS, "rt") as lines:
        return [
            DocumentText(r["title"], r["abstract"], r["full_text"]) for r in map(json.loads, islice(lines, 4))
        ]


def test_chunks_are_bounded_however_long_the_text(papers):
    paper = papers[0]
    assert len(paper.full_text.split()) > 4000
    pieces = chunks(paper, max_chunks=4)
    assert pieces[0] == paper.head and len(pieces) == 4
    assert all(len(p.split()) == CHUNK_WORDS and "{{formula:" not in p for p in pieces[1:])
    huge = DocumentText("A title", "", paper.full_text * 200)
    assert len(chunks(huge, max_chunks=4)) == 4
    assert chunks(DocumentText("Only a title")) == ["Only a title"]


def test_a_huge_abstract_is_read_to_a_bound(papers):
    paper = papers[0]
    assert len(paper.head) < HEAD_CHARS  # a real abstract is read whole
    huge = DocumentText(paper.title, paper.abstract * 200, paper.full_text)
    assert len(huge.head) == HEAD_CHARS and huge.head.startswith(paper.head)
    assert len(huge.text) <= HEAD_CHARS + 1 + TEXT_CHARS


@pytest.mark.slow
def test_pooled_vectors_stay_close_to_the_abstract_and_apart_between_papers(papers):
    encoder = get_encoder("torch-bf16")
    pooled = encode_documents(encoder, papers, max_chunks=4)
    heads = encoder.encode([p.head for p in papers])
    assert np.allclose(np.linalg.norm(pooled, axis=1), 1, atol=1e-5)
    own = (pooled * heads).sum(axis=1)
    others = pooled @ heads.T
    for i in range(len(papers)):
        assert own[i] > 0.8
        assert others[i].argmax() == i
