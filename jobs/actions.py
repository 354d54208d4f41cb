"""Actions of jobs: start one, parse and store its file in bounded batches, move each batch on."""

import uuid
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from classifier.actions import classify_documents
from classifier.loading import load_classifier
from ingest.errors import SourceError
from ingest.parsers import parse_file
from ingest.spool import read_spool, write_spool
from jobs.batches import store_batch
from jobs.models import IngestBatch, IngestJob, Reclassification
from jobs.pipeline import dispatch_batch, queue_parse
from jobs.progress import FINISHED, refresh_progress
from jobs.sources import release_source
from jobs.turns import hold_checkpoint, pause_parsing, pending_batches, wake_parsing
from library.audit import Actor, acting, record
from library.models import Corpus, Decision, Document

SPOOL_SIGN_OF_LIFE = 5000  # records: while a large file is parsed, show the job alive this often


def start_ingest(
    corpus: Corpus, source_path: Path, source_name: str | None = None, format: str = "", by: Actor = None
) -> IngestJob:
    """Create a job for a stored file, started by ``by`` (None: a command); its parsing is queued
    once the row is committed. Subjects the file gives are that user's decisions.

    ``format`` overrides detection from the content (see ``ingest.parsers.detection.FORMATS``).
    """
    job = IngestJob.objects.create(
        corpus=corpus,
        created_by=acting(by),
        source_path=str(source_path),
        source_name=source_name or Path(source_path).name,
        format=format,
    )
    record(Decision.Action.UPLOAD, by, corpus=corpus.name, detail=f"job {job.pk}: {job.source_name}")
    transaction.on_commit(lambda: queue_parse(job.pk, turn=0))
    return job


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def parse_more(job: IngestJob, turn: int) -> None:
    """Store the job's next batches, from its checkpoint, until too many are on their way or the file ends.

    The file is parsed once into the job's spool; storing reads the spool from the checkpoint (a
    byte offset), whatever the input's format. It never waits inside a task (a worker with one
    process would wait for itself): with ``INGEST_MAX_PENDING_BATCHES`` on their way it stops,
    and the batch that brings them down to half wakes it in a new task (``wake_parsing``). A stale
    or duplicate task (another turn, or a checkpoint that moved on) stops at its next batch, so
    no batch is stored twice.
    """
    IngestJob.objects.filter(pk=job.pk, state=IngestJob.State.QUEUED).update(
        state=IngestJob.State.RUNNING, started=timezone.now()
    )
    if not job.spooled:
        try:
            if not _spool(job, turn):
                return
        except SourceError as error:
            IngestJob.objects.filter(pk=job.pk, parse_turn=turn).update(
                state=IngestJob.State.FAILED, message=str(error), finished=timezone.now()
            )
            release_source(job.pk)
            return
        job.refresh_from_db()
    seq = job.next_batch
    batches = _batches(read_spool(spool_path(job.pk), job.spool_offset), settings.INGEST_BATCH_SIZE)
    while True:
        if pending_batches(job.pk) >= settings.INGEST_MAX_PENDING_BATCHES:
            pause_parsing(job.pk, turn)
            return
        taken = next(batches, None)
        if taken is None:
            break
        items = [item for item, _ in taken]
        with transaction.atomic():
            if not hold_checkpoint(job.pk, turn, seq):
                return
            batch = store_batch(job, seq, items)
            IngestJob.objects.filter(pk=job.pk).update(
                next_batch=seq + 1, spool_offset=taken[-1][1], heartbeat=timezone.now()
            )
            transaction.on_commit(lambda batch=batch: dispatch_batch(batch))
        seq += 1
    with transaction.atomic():
        if hold_checkpoint(job.pk, turn, seq):
            IngestJob.objects.filter(pk=job.pk).update(parsed_all=True)
            spool_path(job.pk).unlink(missing_ok=True)
    refresh_progress(job.pk)


def spool_path(job_id: int) -> Path:
    """Where a job's parsed records wait to be stored."""
    return Path(settings.MEDIA_ROOT) / "spool" / f"job-{job_id}.jsonl"


def _spool(job: IngestJob, turn: int) -> bool:
    """Parse the job's file into its spool; False (and no spool) when another turn took over meanwhile."""
    path = spool_path(job.pk)
    partial = path.with_name(f"{path.stem}.{uuid.uuid4().hex}.partial")  # a redelivered twin writes its own
    ours = IngestJob.objects.filter(pk=job.pk, parse_turn=turn, spooled=False).exclude(state__in=FINISHED)

    def still_ours() -> bool:
        return bool(ours.update(heartbeat=timezone.now()))

    records = parse_file(Path(job.source_path), job.source_name, format=job.format or None)
    total = write_spool(records, partial, SPOOL_SIGN_OF_LIFE, still_ours)
    with transaction.atomic():
        if total is None or not ours.select_for_update().exists():
            partial.unlink(missing_ok=True)
            return False
        partial.replace(path)
        IngestJob.objects.filter(pk=job.pk).update(spooled=True, spool_offset=0, expected=total)
    return True


def classify_batch(batch: IngestBatch) -> None:
    """Classify the batch's documents with their corpus's taxonomy and mark the batch: with the
    active model, or the one the job reclassifies with."""
    documents = list(
        Document.objects.filter(id__in=batch.document_ids).only(
            "id", "title", "abstract", "full_text", "content_hash"
        )
    )
    taxonomy = batch.job.corpus.taxonomy
    version = Reclassification.objects.filter(job_id=batch.job_id).values_list("model_version", flat=True)
    classify_documents(taxonomy, documents, load_classifier(taxonomy, version.first()))
    IngestBatch.objects.filter(pk=batch.pk).update(classified=True, touched=timezone.now())
    refresh_progress(batch.job_id)


def mark_indexed(batch: IngestBatch) -> None:
    """Record that the batch's documents are in the search index."""
    IngestBatch.objects.filter(pk=batch.pk).update(indexed=True, error="", touched=timezone.now())
    refresh_progress(batch.job_id)
    wake_parsing(batch.job_id)


def fail_batch(batch: IngestBatch, reason: str) -> None:
    """Give up on a batch that could not be classified or indexed; its job ends FAILED, saying why."""
    IngestBatch.objects.filter(pk=batch.pk, indexed=False).update(error=reason or "unknown error")
    refresh_progress(batch.job_id)
    wake_parsing(batch.job_id)


def fail_parse(job: IngestJob, reason: str) -> None:
    """The job's file could not be parsed to the end: the job fails with the reason."""
    IngestJob.objects.filter(pk=job.pk).exclude(state__in=FINISHED).update(
        state=IngestJob.State.FAILED, message=reason, finished=timezone.now()
    )
    release_source(job.pk)
