"""Store a batch of parsed records: documents keyed by (corpus, external id), with the subjects
their input gave as librarian classifications."""

from django.utils import timezone

from classifier.models import Classification
from ingest.errors import RecordError
from ingest.models import Corpus, Document, IngestBatch, IngestJob, RecordFailure
from ingest.types import ParsedRecord
from taxonomy.labels import LabelResolver
from taxonomy.models import Node
from taxonomy.tree import Tree

DOCUMENT_FIELDS = ["title", "abstract", "full_text", "metadata", "content_hash", "updated"]


def store_batch(job: IngestJob, seq: int, items: list[ParsedRecord | RecordError]) -> IngestBatch:
    """Store one batch of parsed records; failures are recorded, unchanged documents skipped.

    Run inside the transaction that moves the job's checkpoint, so a batch is stored once or not at all.
    """
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
    Document.objects.bulk_update(changed, DOCUMENT_FIELDS)
    stored = dict(
        Document.objects.filter(
            corpus=job.corpus, external_id__in=[d.external_id for d in new + changed]
        ).values_list("external_id", "id")
    )
    unknown = store_librarian_subjects(job.corpus, {stored[e]: records[e] for e in stored})
    RecordFailure.objects.bulk_create(
        [RecordFailure(job=job, file=f.file, line=f.line, field=f.field, reason=f.reason) for f in failures]
        + [
            RecordFailure(
                job=job,
                file=record.file,
                line=record.line,
                field="labels",
                reason=f"not in taxonomy {job.corpus.taxonomy}: {', '.join(map(repr, labels))};"
                " the document is stored without them",
                warning=True,
            )
            for record, labels in unknown
        ]
    )
    done = not stored
    return IngestBatch.objects.create(
        job=job,
        seq=seq,
        document_ids=sorted(stored.values()),
        size=len(stored),
        read=len(items),
        duplicates=duplicates,
        failed=len(failures),
        warnings=len(unknown),
        classified=done,
        indexed=done,
    )


def store_librarian_subjects(
    corpus: Corpus, records: dict[int, ParsedRecord]
) -> list[tuple[ParsedRecord, list[str]]]:
    """Replace the librarian classifications of these (new or changed) documents with the subjects
    their records give, each with its ancestors as model predictions are stored; returns the
    records whose labels name no node, with those labels."""
    Classification.objects.filter(
        document_id__in=list(records), source=Classification.Source.LIBRARIAN
    ).delete()
    if not any(record.labels for record in records.values()):
        return []
    tree = Tree.from_taxonomy(corpus.taxonomy_id)
    resolver = LabelResolver(tree)
    node_ids = dict(Node.objects.filter(taxonomy_id=corpus.taxonomy_id).values_list("code", "id"))
    rows, unknown = [], []
    for document_id, record in records.items():
        codes = {label: resolver.resolve(label) for label in record.labels}
        if missing := [label for label, code in codes.items() if code is None]:
            unknown.append((record, missing))
        given = {code for code in codes.values() if code is not None}
        rows += [
            Classification(
                document_id=document_id,
                node_id=node_ids[code],
                score=1.0,
                rank=1,
                is_leaf_prediction=code in given,
                model_version="",
                source=Classification.Source.LIBRARIAN,
            )
            for code in tree.closure(given)
        ]
    Classification.objects.bulk_create(rows)
    return unknown


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
