"""A worker killed (SIGKILL, the whole process group) in the middle of a job: the other worker and a
new one finish it.

Whatever the dead worker held is lost with it (the filesystem broker deletes a message file as
it hands the message out; Redis gives it back only after the visibility timeout); the new
worker's look for stalled jobs queues that work again.
"""

import os
import signal

import pytest

from library.actions import get_or_create_corpus
from taxonomy.actions import import_taxonomy
from tests.conftest import ARXIV_NODES
from tests.faults.checks import assert_ingested_once, finished, indexed_some, start_job, wait_for_job

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_job_of_a_killed_worker_is_finished_by_the_others(start_workers, start_worker, corpus_file):
    path, records = corpus_file
    corpus = get_or_create_corpus("killed", import_taxonomy(ARXIV_NODES, name="arxiv"))
    worker, _ = start_workers()

    job = wait_for_job(start_job(corpus, path), indexed_some)
    assert not finished(job), "the job ended before the worker could be killed"
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    start_worker()

    wait_for_job(job, finished)
    assert_ingested_once(job, records)
