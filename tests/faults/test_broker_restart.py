"""Redis restarted in the middle of a job: workers reconnect, lost work is queued again, the job
ends, and each worker's watchdog goes on looking for stalled work."""

import time
from pathlib import Path

import pytest

from library.actions import get_or_create_corpus
from taxonomy.actions import import_taxonomy
from tests.conftest import ARXIV_NODES
from tests.faults.checks import assert_ingested_once, finished, indexed_some, start_job, wait_for_job

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

OUTAGE_S = 3


def test_the_job_survives_a_redis_restart(redis_server, redis_broker, start_workers, corpus_file, tmp_path):
    path, records = corpus_file
    corpus = get_or_create_corpus("broker-restart", import_taxonomy(ARXIV_NODES, name="arxiv"))
    start_workers(broker=redis_broker)

    job = wait_for_job(start_job(corpus, path), indexed_some)
    assert not finished(job), "the job ended before Redis could be restarted"
    redis_server.stop()
    time.sleep(OUTAGE_S)
    redis_server.start()

    wait_for_job(job, finished)
    assert_ingested_once(job, records)
    logs = sorted(tmp_path.glob("worker-*.log"))
    assert logs and all(map(looks_after_reconnecting, logs)), (
        "each watchdog looks on after the broker is back"
    )


def looks_after_reconnecting(log: Path, timeout_s: float = 30) -> bool:
    """Whether the worker queued a look for stalled jobs after it last connected to the broker."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if "Task jobs.resume_stalled_jobs[" in log.read_text().rpartition("Connected to redis")[2]:
            return True
        time.sleep(0.5)
    return False
