"""Helpers shared by tests: store parsed records as documents, wait for a job to finish."""

import time
from collections.abc import Iterable

from ingest.types import ParsedRecord
from jobs.models import IngestJob
from library.models import Corpus, Document

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
