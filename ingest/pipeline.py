"""How a stored batch travels on: classify, then index, then count it in.

The index step is addressed by task name, so ingestion does not import the search app.
"""

from celery import chain, signature

from ingest.models import IngestBatch


def dispatch_batch(batch: IngestBatch) -> None:
    """Queue classify → index → mark indexed for one stored batch."""
    if not batch.document_ids:
        return
    from ingest.tasks import batch_indexed, classify_batch

    chain(
        classify_batch.si(batch.pk),
        signature("search.index_documents", args=(batch.document_ids,), immutable=True, queue="index"),
        batch_indexed.si(batch.pk),
    ).delay()
