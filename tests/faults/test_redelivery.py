"""A worker stalls (SIGSTOP) past Redis's visibility timeout in the middle of a job: Redis hands
the work it held to the other worker, the stalled one wakes up and does it again. Done twice, it
is counted once, and the job's totals equal the database's."""

import os
import signal
import time

import pytest

from library.actions import get_or_create_corpus
from taxonomy.actions import import_taxonomy
from tests.conftest import ARXIV_NODES
from tests.faults.checks import assert_ingested_once, finished, indexed_some, start_job, wait_for_job

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
VISIBILITY_S = 6


@pytest.fixture
def short_visibility(settings) -> None:
    """Set before the private Redis broker reads it."""
    settings.CELERY_VISIBILITY_TIMEOUT = VISIBILITY_S


def test_work_delivered_twice_is_counted_once(
    short_visibility, redis_server, redis_broker, start_workers, corpus_file
):
    path, records = corpus_file
    corpus = get_or_create_corpus("redelivered", import_taxonomy(ARXIV_NODES, name="arxiv"))
    stalled, _ = start_workers(broker=redis_broker)

    job = wait_for_job(start_job(corpus, path), indexed_some)
    assert not finished(job), "the job ended before a worker could stall"
    os.killpg(stalled.pid, signal.SIGSTOP)
    try:
        time.sleep(3 * VISIBILITY_S)  # its messages go back to Redis and on to the other worker
    finally:
        os.killpg(stalled.pid, signal.SIGCONT)

    wait_for_job(job, finished)
    time.sleep(VISIBILITY_S)  # the stalled worker finishes what it held, a second time
    assert stalled.poll() is None
    assert_ingested_once(job, records)
