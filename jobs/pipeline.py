"""How a job's work travels: batching in turns on the ``ingest`` queue, each stored batch through
classify, then index, then counted in.

Every step is addressed by task name, so queueing work imports no task module (the tasks import
the actions, never the reverse). Every message carries an error callback, so work that fails for
good is recorded on its job instead of leaving the job running forever.
"""

from celery import chain, signature

from jobs.models import IngestBatch


def _step(name: str, *args, queue: str = "ingest"):
    return signature(name, args=args, immutable=True, queue=queue)


def queue_task(name: str, *args, queue: str = "ingest") -> None:
    """Queue one task by name (deletion, index updates)."""
    _step(name, *args, queue=queue).delay()


def queue_parse(job_id: int, turn: int) -> None:
    """Queue turn ``turn`` of batching the job: its file, or its corpus when it reclassifies."""
    _step("jobs.take_batches", job_id, turn).apply_async(
        link_error=signature("jobs.batching_failed", args=(job_id,), queue="ingest")
    )


def dispatch_batch(batch: IngestBatch) -> None:
    """Queue the steps a stored batch still needs: classify → index → mark indexed."""
    if not batch.document_ids or batch.indexed:
        return
    steps = [] if batch.classified else [_step("jobs.classify_batch", batch.pk, queue="classify")]
    steps += [
        _step("search.index_documents", batch.document_ids, queue="index"),
        _step("jobs.batch_indexed", batch.pk),
    ]
    chain(*steps).on_error(signature("jobs.batch_failed", args=(batch.pk,), queue="ingest")).delay()
