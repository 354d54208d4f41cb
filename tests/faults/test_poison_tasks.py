"""Hostile work on a real worker whose pool processes run under a low memory cap: the batch or the
turn of parsing it hits fails with the cause, the worker's main process lives on, and the rest of
the work goes through.

A batch whose process dies each time it runs (killed from here when its log line shows) is a poison
task: sent again with the death counted, given up after INGEST_POISON_MAX_DEATHS, 2 here. One
document swollen past what the parsers would let through is too large to be read from the database
at all (a MemoryError, which Celery's worker would re-raise in its main process and die of: the task
fails with OutOfMemory instead). A turn of parsing is killed from here, each time, on the embedded
broker and on Redis.
"""

import gzip
import time
from itertools import islice
from pathlib import Path

import pytest

from jobs.models import IngestJob
from jobs.uploads import ingest_upload
from library.actions import get_or_create_corpus
from taxonomy.actions import import_taxonomy
from tests.conftest import ARXIV_DEV, ARXIV_NODES, SHARED_DATA
from tests.faults.checks import finished, start_job, wait_for_job
from tests.faults.hostile import (
    CAP_MB,
    assert_through_but,
    cap_workers,
    kill_pool_process,
    lengthen,
    stored_job,
    swell,
    wait_for_log,
    write_records,
)
from tests.fixtures.worker import READY_TIMEOUT

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ARXIV_TRAIN = SHARED_DATA / "corpora" / "arxiv-2025-train.jsonl.gz"  # 56,869 records: parsing takes a while
MIB = 1024 * 1024
JOB_TIMEOUT_S = 120
HOSTILE = {
    # the batch kills the pool process that runs it, each time (SIGKILL from here): given up after two
    "dies": (0, 2, "killed 2 worker processes; given up"),  # its documents lengthened to be caught running
    # reading it takes twice its size: a MemoryError in the task, no process dies
    "out-of-memory": (
        300 * MIB,
        0,
        f"out of memory: needed more than the worker process's cap of {CAP_MB} MiB (WORKER_MEMORY_CAP_MB)",
    ),
}


@pytest.fixture(autouse=True)
def capped(settings, monkeypatch) -> None:
    cap_workers(settings, monkeypatch)


@pytest.fixture
def taxonomy():
    return import_taxonomy(ARXIV_NODES, name="arxiv")


@pytest.mark.parametrize("hostile", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_document_fails_its_batch_alone_and_the_worker_lives_on(
    start_worker, taxonomy, tmp_path, hostile
):
    characters, deaths, cause = HOSTILE[hostile]
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as source:
        lines = list(islice(source, 56))
    corpus = get_or_create_corpus(hostile, taxonomy)
    job = stored_job(corpus, write_records(lines[:48], tmp_path / "records.jsonl"))  # batches of 16, 16, 16
    if characters:
        swell(job, characters)
    else:
        lengthen(job)
    worker = start_worker()
    for death in range(1, deaths + 1):  # each time batch 2 starts, its process dies
        wait_for_log(tmp_path / "worker-0.log", f"job {job.pk}: classifying batch 2 ", count=death)
        kill_pool_process(worker.pid)

    job = wait_for_job(job, lambda job: finished(job) or worker.poll() is not None, JOB_TIMEOUT_S)

    assert worker.poll() is None, "the main process lives on"
    log = (tmp_path / "worker-0.log").read_text()
    assert log.count("exited with 'signal 9 (SIGKILL)'") == deaths
    assert log.count("killed its worker process") == deaths
    failed = job.batches.get(seq=2)
    assert failed.error == f"jobs.classify_batch: {cause}"
    assert not failed.classified and not failed.indexed
    assert job.state == IngestJob.State.FAILED
    assert job.message == (
        f"1 batch (16 documents) could not be classified or indexed; the first, batch 2: {failed.error}"
    )
    assert (job.read, job.stored, job.classified, job.indexed, job.processed) == (48, 48, 32, 32, 48)
    assert_through_but(job, failed)

    after = ingest_upload(["".join(lines[48:]).encode()], "more.jsonl", "after", taxonomy)
    uploaded = Path(after.source_path)
    assert wait_for_job(after, finished, JOB_TIMEOUT_S).state == IngestJob.State.DONE, "new work goes through"
    assert not uploaded.exists(), "and the uploaded file goes with its job"


@pytest.mark.parametrize("broker", ["filesystem", "redis"])
def test_a_turn_of_parsing_that_kills_its_workers_fails_its_job(
    start_worker, taxonomy, tmp_path, settings, request, broker
):
    worker = start_worker(broker=request.getfixturevalue("redis_broker") if broker == "redis" else None)
    job = start_job(get_or_create_corpus("killed-parsing", taxonomy), ARXIV_TRAIN)
    seen: set[str] = set()
    # Kill each pool process that starts on the turn: each writes a partial spool of its own.
    for _ in range(2):
        seen.add(new_partial(settings.MEDIA_ROOT / "spool", seen))
        kill_pool_process(worker.pid)

    job = wait_for_job(job, lambda job: finished(job) or worker.poll() is not None, JOB_TIMEOUT_S)

    assert worker.poll() is None, "the main process lives on"
    assert job.state == IngestJob.State.FAILED
    assert job.message == "reading arxiv-2025-train.jsonl.gz failed: killed 2 worker processes; given up"
    assert not job.batches.exists()
    assert "jobs.take_batches" in wait_for_log(
        tmp_path / "worker-0.log", "killed its worker process (2 so far)"
    )


def new_partial(spool: Path, seen: set[str], timeout_s: float = READY_TIMEOUT) -> str:
    """The name of a partial spool not in ``seen``, once one appears: a turn of parsing has started."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if fresh := {path.name for path in spool.glob("*.partial")} - seen:
            return fresh.pop()
        time.sleep(0.05)
    raise AssertionError(f"no new partial spool in {spool} after {timeout_s}s")
