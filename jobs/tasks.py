"""Celery tasks of jobs: each re-reads its rows, returns quietly if they are gone or done, and calls
one action; running any of them twice changes nothing."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from jobs import actions, deletion, reclassify, recovery, resumable, retraining, sources
from jobs.models import IngestBatch, IngestJob, TrainingJob
from jobs.progress import FINISHED
from shelfmark.celery import is_transient, pipeline_task

logger = logging.getLogger(__name__)


def _open_job(job_id: int) -> IngestJob | None:
    job = IngestJob.objects.filter(pk=job_id).select_related("corpus__taxonomy", "reclassification").first()
    return None if job is None or job.state in FINISHED else job


@pipeline_task("jobs.take_batches", queue="ingest")
def take_batches(job_id: int, turn: int = 0) -> None:
    """A turn of a job's batching: from its file, or from its corpus when it reclassifies."""
    job = _open_job(job_id)
    if job is not None and job.parse_turn == turn and not (job.parsed_all or job.parse_waiting):
        take_more = actions.parse_more if reclassify.model_of(job) is None else reclassify.reclassify_more
        take_more(job, turn)


@pipeline_task("jobs.classify_batch", queue="classify")
def classify_batch(batch_id: int) -> None:
    batch = IngestBatch.objects.filter(pk=batch_id).select_related("job__corpus__taxonomy").first()
    if batch is not None and not batch.classified:
        logger.info("job %s: classifying batch %s (%s documents)", batch.job_id, batch.seq, batch.size)
        actions.classify_batch(batch)


@pipeline_task("jobs.batch_indexed", queue="ingest")
def batch_indexed(batch_id: int) -> None:
    batch = IngestBatch.objects.filter(pk=batch_id).first()
    if batch is not None:
        actions.mark_indexed(batch)


@pipeline_task("jobs.resume_stalled_jobs", queue="ingest")
def resume_stalled_jobs() -> None:
    recovery.resume_stalled_jobs(timedelta(seconds=settings.INGEST_STALL_TIMEOUT_S))


@pipeline_task("jobs.discard_stale_uploads", queue="ingest")
def discard_stale_uploads() -> None:
    resumable.discard_stale_uploads(timedelta(seconds=settings.INGEST_UPLOAD_STALE_AFTER_S))


@pipeline_task("jobs.train", queue="ingest")
def train(job_id: int) -> None:
    job = TrainingJob.objects.filter(pk=job_id).select_related("taxonomy").first()
    if job is not None:
        retraining.run_training(job)


@pipeline_task("jobs.delete_corpus", queue="ingest")
def delete_corpus(corpus_id: int) -> None:
    deletion.delete_corpus(corpus_id)


@pipeline_task("jobs.delete_job_documents", queue="ingest")
def delete_job_documents(job_id: int) -> None:
    deletion.delete_job_documents(job_id)


@pipeline_task("jobs.remove_kept_sources", queue="ingest")
def remove_kept_sources() -> None:
    sources.remove_kept_sources()


# Error callbacks: Celery calls them in the worker whose task failed for good (retries spent),
# with the failed request, the error and its traceback before the bound arguments. A transient
# error that reaches them was not the work's (the broker was away when the task queued its next
# step): the work is done or can be, and the stalled-jobs look queues what follows again.


@shared_task(name="jobs.batch_failed", queue="ingest")
def batch_failed(request, error: BaseException, traceback, batch_id: int) -> None:
    batch = IngestBatch.objects.filter(pk=batch_id).first()
    if batch is not None and not is_transient(error):
        actions.fail_batch(batch, f"{request.task}: {error}")


@shared_task(name="jobs.batching_failed", queue="ingest")
def batching_failed(request, error: BaseException, traceback, job_id: int) -> None:
    job = _open_job(job_id)
    if job is not None and not is_transient(error):
        what = f"reading {job.source_name}" if reclassify.model_of(job) is None else "batching the corpus"
        actions.fail_parse(job, f"{what} failed: {error}")
