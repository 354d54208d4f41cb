"""Celery tasks of ingestion: each re-reads its rows and calls one action."""

from celery import shared_task

from ingest import actions
from ingest.models import IngestBatch, IngestJob


@shared_task(name="ingest.ingest_file", queue="ingest")
def ingest_file(job_id: int) -> None:
    job = IngestJob.objects.filter(pk=job_id).select_related("corpus").first()
    if job is None or job.state in (IngestJob.State.DONE, IngestJob.State.FAILED):
        return
    actions.run_ingest(job)


@shared_task(name="ingest.classify_batch", queue="classify")
def classify_batch(batch_id: int) -> None:
    batch = IngestBatch.objects.filter(pk=batch_id).select_related("job__corpus__taxonomy").first()
    if batch is not None:
        actions.classify_batch(batch)


@shared_task(name="ingest.batch_indexed", queue="ingest")
def batch_indexed(batch_id: int) -> None:
    batch = IngestBatch.objects.filter(pk=batch_id).first()
    if batch is not None:
        actions.mark_indexed(batch)
