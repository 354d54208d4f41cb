"""Reclassifying a corpus: a job like an ingest job, whose batches are the corpus's stored documents
instead of a file's records.

The job's model is fixed when it starts. Its batches go through the same classify → index chain,
are counted, paced (``INGEST_MAX_PENDING_BATCHES``) and recovered the same way as an ingest job's:
batching takes turns as parsing does, and resumes after the last document id batched.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from classifier.versions import choose_model
from jobs.models import IngestBatch, IngestJob, Reclassification
from jobs.pipeline import dispatch_batch, queue_parse
from jobs.progress import FINISHED, refresh_progress
from jobs.turns import hold_checkpoint, pause_parsing, pending_batches
from library.actions import lock_corpus
from library.audit import Actor, acting, record
from library.models import Corpus, Decision, Document


class ReclassificationRunning(Exception):
    """The corpus is being reclassified already; ``job`` is the open job."""

    def __init__(self, job: IngestJob) -> None:
        super().__init__(f"{job.corpus} is being reclassified already: job {job.pk}")
        self.job = job


def start_reclassify(corpus: Corpus, model: str | None = None, by: Actor = None) -> IngestJob:
    """Create a job, started by ``by``, that classifies the corpus's documents again and re-indexes
    them; its batching is queued once the rows are committed.

    ``model``: a trained model's version, ``zeroshot``, or ``active``/None for the active model
    (``classifier.versions.UnknownModel`` if the taxonomy has no such model). One reclassification
    of a corpus at a time (``ReclassificationRunning``): the corpus's row is locked before the
    look for a running one, so two requests at once start one job.
    """
    version = choose_model(corpus.taxonomy, model)
    with transaction.atomic():
        lock_corpus(corpus)
        running = open_reclassification(corpus)
        if running is not None:
            raise ReclassificationRunning(running)
        return _create(corpus, version, by)


def _create(corpus: Corpus, version: str, by: Actor) -> IngestJob:
    job = IngestJob.objects.create(
        corpus=corpus,
        created_by=acting(by),
        source_name=f"reclassify with {version}",
        source_path="",
        spooled=True,  # nothing to parse
        expected=corpus.documents.count(),
    )
    Reclassification.objects.create(job=job, model_version=version)
    record(Decision.Action.RECLASSIFY, by, corpus=corpus.name, detail=f"job {job.pk} with {version}")
    transaction.on_commit(lambda: queue_parse(job.pk, turn=0))
    return job


def open_reclassification(corpus: Corpus) -> IngestJob | None:
    """The corpus's reclassification that has not finished yet, if any."""
    jobs = IngestJob.objects.filter(corpus=corpus, reclassification__isnull=False).exclude(state__in=FINISHED)
    return jobs.order_by("pk").first()


def model_of(job: IngestJob) -> str | None:
    """The model version a reclassifying job classifies with; None for a job that ingests a file."""
    try:
        return job.reclassification.model_version
    except Reclassification.DoesNotExist:
        return None


def reclassify_more(job: IngestJob, turn: int) -> None:
    """Batch the corpus's next documents, by id, and send each batch through classify and index,
    until too many are on their way or every document is batched; the counterpart of
    ``jobs.actions.parse_more``, with the same turns and checkpoint, so no document is batched twice.
    """
    IngestJob.objects.filter(pk=job.pk, state=IngestJob.State.QUEUED).update(
        state=IngestJob.State.RUNNING, started=timezone.now()
    )
    seq = job.next_batch
    while True:
        if pending_batches(job.pk) >= settings.INGEST_MAX_PENDING_BATCHES:
            pause_parsing(job.pk, turn)
            return
        with transaction.atomic():
            if not hold_checkpoint(job.pk, turn, seq):
                return
            ids = _next_documents(job, seq)
            if not ids:
                IngestJob.objects.filter(pk=job.pk).update(parsed_all=True, heartbeat=timezone.now())
                break
            batch = IngestBatch.objects.create(
                job=job, seq=seq, document_ids=ids, size=len(ids), read=len(ids)
            )
            IngestJob.objects.filter(pk=job.pk).update(next_batch=seq + 1, heartbeat=timezone.now())
            transaction.on_commit(lambda batch=batch: dispatch_batch(batch))
        seq += 1
    refresh_progress(job.pk)


def _next_documents(job: IngestJob, seq: int) -> list[int]:
    """Ids of the documents of batch ``seq``: the next ones after those of batch ``seq - 1``."""
    previous = IngestBatch.objects.filter(job_id=job.pk, seq=seq - 1).values_list("document_ids", flat=True)
    after = max(previous.first() or [], default=0)
    documents = Document.objects.filter(corpus_id=job.corpus_id, id__gt=after).order_by("id")
    return list(documents.values_list("id", flat=True)[: settings.INGEST_BATCH_SIZE])
