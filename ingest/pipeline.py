"""How a job's work travels: parsing in turns on the ``ingest`` queue, each stored batch through
classify, then index, then counted in.

The index step is addressed by task name, so ingestion does not import the search app. Every
message carries an error callback, so work that fails for good is recorded on its job instead
of leaving the job running forever.
"""

from celery import chain, signature

from ingest.models import IngestBatch


def queue_parse(job_id: int, turn: int) -> None:
    """Queue turn ``turn`` of parsing the job's file."""
    from ingest.tasks import ingest_file, parse_failed

    ingest_file.apply_async((job_id, turn), link_error=parse_failed.s(job_id))


def dispatch_batch(batch: IngestBatch) -> None:
    """Queue the steps a stored batch still needs: classify → index → mark indexed."""
    if not batch.document_ids or batch.indexed:
        return
    from ingest.tasks import batch_failed, batch_indexed, classify_batch

    steps = [] if batch.classified else [classify_batch.si(batch.pk)]
    steps += [
        signature("search.index_documents", args=(batch.document_ids,), immutable=True, queue="index"),
        batch_indexed.si(batch.pk),
    ]
    chain(*steps).on_error(batch_failed.s(batch.pk)).delay()
