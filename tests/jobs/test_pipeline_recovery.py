"""Work of an open job that shows no sign of life is queued again; a batch that never gets through
is given up so the job ends, and can be retried once the services are back."""

import gzip
import json
from datetime import timedelta
from itertools import islice

import pytest
from django.core.management import call_command
from django.utils import timezone

from ingest.types import ParsedRecord
from jobs.actions import mark_indexed
from jobs.batches import store_batch
from jobs.models import IngestBatch, IngestJob
from jobs.recovery import resume_stalled_jobs, retry_failed_batches
from library.actions import get_or_create_corpus
from tests.conftest import ARXIV_DEV

pytestmark = pytest.mark.django_db

STALL = timedelta(minutes=10)
LONG_AGO = timezone.now() - timedelta(hours=1)


@pytest.fixture
def job(arxiv_taxonomy) -> IngestJob:
    """A running job with three stored batches of real records, its file read to the end."""
    corpus = get_or_create_corpus("recovery", arxiv_taxonomy)
    job = IngestJob.objects.create(
        corpus=corpus, source_name="dev.jsonl", source_path=str(ARXIV_DEV), state=IngestJob.State.RUNNING
    )
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as handle:
        objects = [json.loads(line) for line in islice(handle, 12)]
    records = [
        ParsedRecord("dev.jsonl", n, o["id"], o["title"], o["abstract"]) for n, o in enumerate(objects, 1)
    ]
    for seq in range(3):
        store_batch(job, seq, records[seq * 4 : seq * 4 + 4])
    IngestJob.objects.filter(pk=job.pk).update(parsed_all=True, next_batch=3, spooled=True)
    return job


def test_stalled_batches_are_dispatched_again_and_fresh_ones_left_alone(
    job, django_capture_on_commit_callbacks
):
    job.batches.filter(seq__in=[0, 1]).update(touched=LONG_AGO)
    mark_indexed(job.batches.get(seq=0))  # got through after all: nothing to do for it

    with django_capture_on_commit_callbacks() as queued:
        resumed = resume_stalled_jobs(STALL)

    assert (resumed.parses, resumed.batches, resumed.given_up) == (0, 1, 0)
    assert len(queued) == 1
    again = job.batches.get(seq=1)
    assert again.dispatches == 2 and again.touched > LONG_AGO
    assert job.batches.get(seq=2).dispatches == 1

    with django_capture_on_commit_callbacks() as queued:  # a second look right after: nothing to do
        assert resume_stalled_jobs(STALL).batches == 0
    assert queued == []


def test_stalled_parsing_is_handed_to_a_new_turn(job, django_capture_on_commit_callbacks):
    IngestJob.objects.filter(pk=job.pk).update(parsed_all=False, heartbeat=LONG_AGO, parse_turn=4)
    fresh = IngestJob.objects.create(corpus=job.corpus, source_name="b.jsonl", source_path="b.jsonl")

    with django_capture_on_commit_callbacks() as queued:
        resumed = resume_stalled_jobs(STALL)

    assert resumed.parses == 1 and len(queued) == 1
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.parse_turn == 5 and job.heartbeat > LONG_AGO
    assert fresh.parse_turn == 0


def test_parsing_parked_with_its_wake_up_lost_is_woken(job, django_capture_on_commit_callbacks):
    IngestJob.objects.filter(pk=job.pk).update(parsed_all=False, parse_waiting=True, parse_turn=2)
    for batch in job.batches.all():
        mark_indexed(batch)  # the wake-up these queued went nowhere
    IngestJob.objects.filter(pk=job.pk).update(parse_waiting=True)

    with django_capture_on_commit_callbacks() as queued:
        assert resume_stalled_jobs(STALL).parses == 1
    assert len(queued) == 1
    job.refresh_from_db()
    assert (job.parse_turn, job.parse_waiting) == (2, False)


def test_a_batch_that_never_gets_through_is_given_up_and_can_be_retried(
    job, settings, django_capture_on_commit_callbacks
):
    for batch in job.batches.exclude(seq=1):
        mark_indexed(batch)
    job.batches.filter(seq=1).update(touched=LONG_AGO, dispatches=settings.INGEST_BATCH_MAX_DISPATCHES)

    with django_capture_on_commit_callbacks() as queued:
        assert resume_stalled_jobs(STALL).given_up == 1
    assert queued == []

    job.refresh_from_db()
    assert job.state == IngestJob.State.FAILED and job.finished is not None
    assert "1 batch (4 documents) could not be classified or indexed" in job.message
    assert "batch 1: no progress after 5 dispatches" in job.message
    assert (job.stored, job.indexed, job.processed) == (12, 8, 12)

    with django_capture_on_commit_callbacks() as queued:
        call_command("resume_jobs", "--retry-failed", str(job.pk))
    assert len(queued) == 1
    job.refresh_from_db()
    assert (job.state, job.message) == (IngestJob.State.RUNNING, "")
    mark_indexed(job.batches.get(seq=1))
    job.refresh_from_db()
    assert job.state == IngestJob.State.DONE and job.indexed == 12


def test_a_job_whose_last_count_was_lost_is_finished(job):
    IngestBatch.objects.filter(job=job).update(classified=True, indexed=True)  # the last refresh never ran

    resume_stalled_jobs(STALL)

    job.refresh_from_db()
    assert (job.state, job.classified, job.indexed) == (IngestJob.State.DONE, 12, 12)
    assert retry_failed_batches(job) == 0
