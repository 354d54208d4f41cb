"""What every fault test asserts once the job is over: each record stored, classified and indexed once."""

import time

from django.db import transaction

from jobs.actions import start_ingest
from jobs.models import IngestJob
from library.models import Classification, Corpus, Document, DocumentAssessment
from search.backends import get_backend
from search.backends.base import MAX_PAGE_SIZE
from search.types import SearchQuery
from taxonomy.tree import Tree

JOB_TIMEOUT_S = 300


def start_job(corpus: Corpus, path) -> IngestJob:
    with transaction.atomic():
        return start_ingest(corpus, path)


def wait_for_job(job: IngestJob, until, timeout_s: float = JOB_TIMEOUT_S) -> IngestJob:
    """Poll the job until ``until(job)`` holds; fails with the job's state after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if until(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} did not get there in {timeout_s}s: {job.__dict__}")


def finished(job: IngestJob) -> bool:
    return job.state in (IngestJob.State.DONE, IngestJob.State.FAILED)


def indexed_some(job: IngestJob) -> bool:
    """In the middle: a couple of batches through, more to come."""
    return job.indexed >= 32 or finished(job)


def assert_ingested_once(job: IngestJob, records: list[dict]) -> None:
    job.refresh_from_db()
    assert job.state == IngestJob.State.DONE, job.message
    count = len(records)
    assert (job.read, job.stored, job.failed, job.classified, job.indexed) == (count, count, 0, count, count)

    documents = {d.external_id: d for d in Document.objects.filter(corpus=job.corpus)}
    assert sorted(documents) == sorted(r["id"] for r in records)

    # Classified once: one assessment, each node once (the model's or the librarian's, whose
    # subjects are the input's categories), together closed over ancestors.
    assert DocumentAssessment.objects.filter(document__corpus=job.corpus).count() == count
    tree = Tree.from_taxonomy(job.corpus.taxonomy_id)
    subjects: dict[int, list[Classification]] = {}
    for c in Classification.objects.filter(document__corpus=job.corpus).select_related("node"):
        subjects.setdefault(c.document_id, []).append(c)
    for record in records:
        rows = subjects[documents[record["id"]].pk]
        codes = [c.node.code for c in rows]
        given = {
            c.node.code for c in rows if c.source == Classification.Source.LIBRARIAN and c.is_leaf_prediction
        }
        assert given == set(record["categories"])
        leaves = {c.node.code for c in rows if c.is_leaf_prediction}
        assert sorted(codes) == sorted(tree.closure(leaves))

    backend = get_backend()
    assert backend.count() == count
    ids: list[int] = []
    for page in range(1, count // MAX_PAGE_SIZE + 2):
        ids += [hit.id for hit in backend.search(SearchQuery(page=page, size=MAX_PAGE_SIZE)).hits]
    assert sorted(ids) == sorted(d.pk for d in documents.values())
