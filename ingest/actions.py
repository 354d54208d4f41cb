"""Actions of ingestion: start a job, store parsed batches, account for progress."""

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from classifier.actions import classify_documents
from classifier.zeroshot import document_text
from ingest.errors import RecordError, SourceError
from ingest.models import Corpus, Document, IngestBatch, IngestJob, RecordFailure
from ingest.parsers import parse_file
from ingest.types import ParsedRecord
from taxonomy.models import Taxonomy


def get_or_create_corpus(name: str, taxonomy: Taxonomy) -> Corpus:
    """The corpus of that name, created for ``taxonomy`` if new; refuses a taxonomy switch."""
    corpus, _ = Corpus.objects.get_or_create(name=name, defaults={"taxonomy": taxonomy})
    if corpus.taxonomy_id != taxonomy.pk:
        raise ValueError(f"corpus {name!r} is classified with {corpus.taxonomy}, not {taxonomy}")
    return corpus


def start_ingest(corpus: Corpus, source_path: Path, source_name: str | None = None) -> IngestJob:
    """Create a job for a stored file and queue it once the job row is committed."""
    from ingest.tasks import ingest_file

    job = IngestJob.objects.create(
        corpus=corpus, source_path=str(source_path), source_name=source_name or Path(source_path).name
    )
    transaction.on_commit(lambda: ingest_file.delay(job.pk))
    return job


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def run_ingest(job: IngestJob) -> None:
    """Parse the job's file batch by batch, store each batch and send it down the pipeline."""
    from ingest.pipeline import dispatch_batch

    IngestJob.objects.filter(pk=job.pk).update(state=IngestJob.State.RUNNING, started=timezone.now())
    done_batches = set(job.batches.values_list("seq", flat=True))
    try:
        records = parse_file(Path(job.source_path), job.source_name)
        for seq, items in enumerate(_batches(records, settings.INGEST_BATCH_SIZE)):
            if seq in done_batches:  # a redelivered job resumes after its stored batches
                continue
            with transaction.atomic():
                batch = store_batch(job, seq, items)
                transaction.on_commit(lambda batch=batch: dispatch_batch(batch))
    except SourceError as error:
        IngestJob.objects.filter(pk=job.pk).update(
            state=IngestJob.State.FAILED, message=str(error), finished=timezone.now()
        )
        return
    IngestJob.objects.filter(pk=job.pk).update(parsed_all=True)
    refresh_progress(job.pk)


def store_batch(job: IngestJob, seq: int, items: list[ParsedRecord | RecordError]) -> IngestBatch:
    """Store one batch of parsed records; failures are recorded, unchanged documents skipped."""
    failures = [item for item in items if isinstance(item, RecordError)]
    records: dict[str, ParsedRecord] = {}
    duplicates = 0
    for record in (item for item in items if isinstance(item, ParsedRecord)):
        duplicates += record.external_id in records
        records[record.external_id] = record
    existing = {
        d.external_id: d for d in Document.objects.filter(corpus=job.corpus, external_id__in=list(records))
    }
    new, changed = [], []
    for external_id, record in records.items():
        document = existing.get(external_id)
        if document is None:
            new.append(_document(job.corpus, record))
        elif document.content_hash != record.content_hash:
            _fill(document, record)
            changed.append(document)
        else:
            duplicates += 1
    Document.objects.bulk_create(new)
    Document.objects.bulk_update(
        changed, ["title", "abstract", "full_text", "metadata", "content_hash", "updated"]
    )
    RecordFailure.objects.bulk_create(
        RecordFailure(job=job, file=f.file, line=f.line, field=f.field, reason=f.reason) for f in failures
    )
    stored_ids = list(
        Document.objects.filter(
            corpus=job.corpus, external_id__in=[d.external_id for d in new + changed]
        ).values_list("id", flat=True)
    )
    IngestJob.objects.filter(pk=job.pk).update(
        read=F("read") + len(items),
        stored=F("stored") + len(stored_ids),
        duplicates=F("duplicates") + duplicates,
        failed=F("failed") + len(failures),
    )
    done = not stored_ids
    return IngestBatch.objects.create(
        job=job, seq=seq, document_ids=stored_ids, size=len(stored_ids), classified=done, indexed=done
    )


def _document(corpus: Corpus, record: ParsedRecord) -> Document:
    document = Document(corpus=corpus, external_id=record.external_id)
    _fill(document, record)
    return document


def _fill(document: Document, record: ParsedRecord) -> None:
    document.title = record.title
    document.abstract = record.abstract
    document.full_text = record.full_text
    document.metadata = record.metadata
    document.content_hash = record.content_hash
    document.updated = timezone.now()


def classify_batch(batch: IngestBatch) -> None:
    """Classify the batch's documents with their corpus's taxonomy and mark the batch."""
    documents = Document.objects.filter(id__in=batch.document_ids).only("id", "title", "abstract")
    taxonomy = batch.job.corpus.taxonomy
    classify_documents(taxonomy, [(d.id, document_text(d.title, d.abstract)) for d in documents])
    IngestBatch.objects.filter(pk=batch.pk).update(classified=True)
    refresh_progress(batch.job_id)


def mark_indexed(batch: IngestBatch) -> None:
    """Record that the batch's documents are in the search index."""
    IngestBatch.objects.filter(pk=batch.pk).update(indexed=True)
    refresh_progress(batch.job_id)


def refresh_progress(job_id: int) -> None:
    """Recount classified and indexed documents from the batches; finish the job when all are in."""
    counts = IngestBatch.objects.filter(job_id=job_id).aggregate(
        classified_documents=Coalesce(Sum("size", filter=Q(classified=True)), 0),
        indexed_documents=Coalesce(Sum("size", filter=Q(indexed=True)), 0),
        pending=Count("id", filter=Q(indexed=False) | Q(classified=False)),
    )
    IngestJob.objects.filter(pk=job_id).update(
        classified=counts["classified_documents"], indexed=counts["indexed_documents"]
    )
    if counts["pending"] == 0:
        IngestJob.objects.filter(pk=job_id, parsed_all=True, state=IngestJob.State.RUNNING).update(
            state=IngestJob.State.DONE, finished=timezone.now()
        )
