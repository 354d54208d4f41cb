"""Parsing pauses while a job's batches are on their way and, woken, goes on in a new turn from its checkpoint.

No worker here: the work a step would queue after commit is captured, not sent, and the tests
play the part of the classify and index steps by marking batches indexed.
"""

import gzip
from itertools import islice

import pytest

from jobs.actions import mark_indexed, parse_more, spool_path
from jobs.models import IngestBatch, IngestJob
from jobs.turns import hand_on
from library.actions import get_or_create_corpus
from library.models import Document
from tests.conftest import ARXIV_DEV

pytestmark = pytest.mark.django_db

RECORDS = 38
BATCH = 4
LIMIT = 3
BROKEN_LINE = 7


@pytest.fixture
def job(arxiv_taxonomy, tmp_path, settings) -> IngestJob:
    settings.INGEST_BATCH_SIZE = BATCH
    settings.INGEST_MAX_PENDING_BATCHES = LIMIT
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as source:
        lines = list(islice(source, RECORDS))
    lines.insert(BROKEN_LINE - 1, '{"id": "broken", \n')
    path = tmp_path / "records.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    corpus = get_or_create_corpus("backpressure", arxiv_taxonomy)
    return IngestJob.objects.create(corpus=corpus, source_path=str(path), source_name=path.name)


def run_turn(job_id: int, turn: int, capture) -> list:
    """Run one parse turn on a fresh read of the job, as its task would; the callbacks it queued."""
    with capture() as queued:
        parse_more(IngestJob.objects.select_related("corpus").get(pk=job_id), turn)
    return queued


def index_batches(job: IngestJob, count: int, capture) -> list:
    """Mark the first ``count`` batches on their way indexed; the callbacks that queued (a wake-up)."""
    with capture() as queued:
        for batch in IngestBatch.objects.filter(job=job, indexed=False).order_by("seq")[:count]:
            mark_indexed(batch)
    return queued


def test_parsing_pauses_at_the_limit_and_is_woken_to_go_on_from_its_checkpoint(
    job, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    queued = run_turn(job.pk, 0, capture)

    job.refresh_from_db()
    assert job.batches.count() == LIMIT  # then it stopped instead of waiting
    assert (job.next_batch, job.expected, job.spooled) == (LIMIT, RECORDS + 1, True)
    assert spool_path(job.pk).exists() and job.spool_offset > 0
    assert (job.parse_turn, job.parse_waiting) == (1, True)
    assert len(queued) == LIMIT  # each batch dispatched; no next turn yet
    assert job.state == IngestJob.State.RUNNING and not job.parsed_all

    # The batch that brings those on their way down to half the limit wakes parsing.
    assert index_batches(job, 1, capture) == []
    assert len(index_batches(job, 1, capture)) == 1
    job.refresh_from_db()
    assert (job.parse_turn, job.parse_waiting) == (1, False)

    # It stores until the limit again, after the checkpoint.
    run_turn(job.pk, 1, capture)
    job.refresh_from_db()
    assert (job.batches.count(), job.next_batch, job.parse_turn) == (LIMIT + 2, LIMIT + 2, 2)

    while not job.parsed_all:
        index_batches(job, LIMIT, capture)
        job.refresh_from_db()
        run_turn(job.pk, job.parse_turn, capture)
        job.refresh_from_db()
    index_batches(job, LIMIT, capture)

    job.refresh_from_db()
    items = RECORDS + 1
    assert job.state == IngestJob.State.DONE
    assert (job.read, job.stored, job.failed, job.expected, job.processed) == (
        items,
        RECORDS,
        1,
        items,
        items,
    )
    assert job.failures.get().line == BROKEN_LINE
    assert not spool_path(job.pk).exists()  # a finished file leaves no spool behind
    # Every record stored once, batch after batch in file order.
    stored = [
        Document.objects.get(pk=pk).external_id
        for batch in job.batches.order_by("seq")
        for pk in batch.document_ids
    ]
    assert len(stored) == len(set(stored)) == RECORDS
    assert [b.seq for b in job.batches.order_by("seq")] == list(range(job.next_batch))


def test_a_stale_or_duplicate_parse_task_stores_nothing(job, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    before = IngestJob.objects.select_related("corpus").get(pk=job.pk)  # as a redelivered message reads it
    run_turn(job.pk, 0, capture)
    index_batches(job, LIMIT, capture)  # wakes turn 1

    with capture() as queued:
        parse_more(before, 0)  # an old turn whose checkpoint has moved on
        hand_on(job.pk, 1)  # the stalled-jobs look gives parsing to turn 2...
        parse_more(IngestJob.objects.select_related("corpus").get(pk=job.pk), 1)  # ...so turn 1 stops

    job.refresh_from_db()
    assert (job.batches.count(), job.next_batch, job.parse_turn) == (LIMIT, LIMIT, 2)
    assert len(queued) == 1  # turn 2
    assert Document.objects.filter(corpus=job.corpus).count() == LIMIT * BATCH - 1  # one line is broken
