"""A job's batches: parsed records stored in the catalogue, counted, and their failures kept."""

from ingest.errors import RecordError
from ingest.storing import store_records
from ingest.types import ParsedRecord
from jobs.models import IngestBatch, IngestJob, RecordFailure


def store_batch(job: IngestJob, seq: int, items: list[ParsedRecord | RecordError]) -> IngestBatch:
    """Store one batch of the job's parsed records; failures and warnings are kept with the job.

    Run inside the transaction that moves the job's checkpoint, so a batch is stored once or not at all.
    """
    stored = store_records(job.corpus, items, job.created_by)
    RecordFailure.objects.bulk_create(
        RecordFailure(job=job, file=f.file, line=f.line, field=f.field, reason=f.reason, warning=warning)
        for warning, found in ((False, stored.failures), (True, stored.warnings))
        for f in found
    )
    done = not stored.document_ids
    return IngestBatch.objects.create(
        job=job,
        seq=seq,
        document_ids=stored.document_ids,
        size=len(stored.document_ids),
        read=len(items),
        duplicates=stored.duplicates,
        failed=len(stored.failures),
        warnings=len(stored.warnings),
        classified=done,
        indexed=done,
    )
