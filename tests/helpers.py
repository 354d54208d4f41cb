"""Helpers shared by tests: store parsed records as documents, wait for a job to finish, make a
huge abstract of real ones, count what an encoder encodes."""

import gzip
import json
import time
from collections.abc import Iterable

import pytest

from classifier.encoders.base import Encoder
from classifier.explanations import split_sentences
from ingest.types import ParsedRecord
from jobs.models import IngestJob
from library.models import Corpus, Document
from tests.conftest import ARXIV_DEV

JOB_TIMEOUT = 300


def store_documents(corpus: Corpus, records: Iterable[ParsedRecord]) -> list[Document]:
    """Store the records as documents of the corpus (no classification); the corpus's documents by id."""
    Document.objects.bulk_create(
        Document(
            corpus=corpus,
            external_id=r.external_id,
            title=r.title,
            abstract=r.abstract,
            metadata=r.metadata,
            content_hash=r.content_hash,
        )
        for r in records
    )
    return list(Document.objects.filter(corpus=corpus).order_by("id"))


def wait_for_job(job: IngestJob, timeout: float = JOB_TIMEOUT) -> IngestJob:
    """The job once it is done or failed; fails the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in (IngestJob.State.DONE, IngestJob.State.FAILED):
            return job
        time.sleep(0.5)
    raise AssertionError(f"job not finished after {timeout}s: {job.__dict__}")


def huge_abstract(sentences: int = 12_000) -> str:
    """Real arXiv abstracts run together until they hold ``sentences`` different sentences (about 2 MB)."""
    parts, count = [], 0
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as lines:
        for record in map(json.loads, lines):
            parts.append(record["abstract"])
            count += len(split_sentences("", record["abstract"])) - 1
            if count >= sentences:
                return " ".join(parts)
    raise ValueError(f"the corpus holds fewer than {sentences} sentences")


def count_encoded(monkeypatch: pytest.MonkeyPatch, encoder: Encoder) -> list[int]:
    """From now on (until the test ends), how many texts each call of ``encoder`` encodes."""
    calls: list[int] = []
    encode = encoder._encode
    monkeypatch.setattr(encoder, "_encode", lambda texts: calls.append(len(texts)) or encode(texts))
    return calls
