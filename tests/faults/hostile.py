"""Hostile work for a real worker whose pool processes run under a low memory cap: a job whose
records are parsed and stored here, one of them then swollen in the database as if it had slipped
past the parsers, its batches waiting in the broker for the worker."""

import os
import signal
import time
from pathlib import Path

from classifier.chunking import CHUNK_WORDS, MAX_CHUNKS
from classifier.encoders import get_encoder
from jobs.actions import parse_more
from jobs.models import IngestBatch, IngestJob
from library.models import Corpus, Document, DocumentAssessment
from search.backends import get_backend
from search.types import SearchQuery
from tests.faults.checks import start_job
from tests.fixtures.worker import READY_TIMEOUT

CAP_MB = 768  # a pool process peaks near 510 MiB on normal work (bench/worker_memory.py, 2 threads)


def cap_workers(settings, monkeypatch) -> None:
    """Workers started from now on cap their pool processes at CAP_MB, encode on 2 threads whatever
    the machine's cores, give up a task after two deaths, and leave stalled work to the test. The
    encoder's ONNX export is made here, uncapped: a capped pool process could not make it (it peaks
    near 980 MiB)."""
    settings.WORKER_MEMORY_CAP_MB = CAP_MB
    settings.INGEST_POISON_MAX_DEATHS = 2
    settings.INGEST_STALL_TIMEOUT_S = 600
    monkeypatch.setenv("ENCODER_THREADS", "2")
    get_encoder(settings.CLASSIFIER_ENCODER)


def write_records(lines: list[str], path: Path) -> Path:
    path.write_text("".join(lines), encoding="utf-8")
    return path


def stored_job(corpus: Corpus, path: Path) -> IngestJob:
    """An ingest job of the file, parsed and stored in this process: its batches are queued for a
    worker to classify and index."""
    job = start_job(corpus, path)
    parse_more(job, turn=0)
    job.refresh_from_db()
    assert job.parsed_all, job.message
    return job


def last_batch(job: IngestJob) -> IngestBatch:
    return job.batches.order_by("-seq").first()


def repeated(text: str, characters: int) -> str:
    """``characters`` of ``text``'s words, repeated."""
    return ((text + " ") * (characters // (len(text) + 1) + 1))[:characters]


def swell(job: IngestJob, characters: int) -> None:
    """Give the last document of the job's last batch an abstract of ``characters``."""
    document = Document.objects.get(pk=last_batch(job).document_ids[-1])
    Document.objects.filter(pk=document.pk).update(abstract=repeated(document.abstract, characters))


def lengthen(job: IngestJob) -> None:
    """Give each document of the job's last batch a full text as long as the classifier reads
    (MAX_CHUNKS chunks), so that classifying the batch takes seconds, not milliseconds: long enough
    to be caught running it."""
    for document in Document.objects.filter(pk__in=last_batch(job).document_ids):
        document.full_text = repeated(document.abstract, 20 * CHUNK_WORDS * MAX_CHUNKS)
        document.save(update_fields=["full_text"])


def pool_processes(worker_pid: int) -> list[int]:
    """The worker's pool processes (the main process's children)."""
    tasks = Path(f"/proc/{worker_pid}/task").iterdir()
    return [int(pid) for task in tasks for pid in (task / "children").read_text().split()]


def kill_pool_process(worker_pid: int) -> None:
    """SIGKILL the worker's only pool process (concurrency 1)."""
    (pid,) = pool_processes(worker_pid)
    os.kill(pid, signal.SIGKILL)


def wait_for_log(log: Path, text: str, count: int = 1, timeout_s: float = READY_TIMEOUT) -> str:
    """The worker's log once ``text`` is in it ``count`` times."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        content = log.read_text()
        if content.count(text) >= count:
            return content
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not {count} times in the worker's log:\n{log.read_text()[-4000:]}")


def assert_through_but(job: IngestJob, hostile: IngestBatch) -> None:
    """Every document of the job's corpus outside the hostile batch assessed by the model and
    indexed; those in it neither."""
    documents = Document.objects.filter(corpus=job.corpus).exclude(pk__in=hostile.document_ids)
    ids = set(documents.values_list("pk", flat=True))
    assert len(ids) == job.read - hostile.size
    assessed = DocumentAssessment.objects.filter(document__corpus=job.corpus)
    assert set(assessed.values_list("document_id", flat=True)) == ids
    indexed = get_backend().search(SearchQuery(corpus=job.corpus.name, size=100)).hits
    assert {hit.id for hit in indexed} == ids
