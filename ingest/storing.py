"""Store parsed records in the catalogue: documents keyed by (corpus, external id), with the
subjects their input gave as librarian classifications."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from ingest.errors import RecordError
from ingest.types import ParsedRecord
from library.models import Classification, Corpus, Document
from taxonomy.labels import LabelResolver
from taxonomy.models import Node
from taxonomy.tree import Tree

DOCUMENT_FIELDS = ["title", "abstract", "full_text", "metadata", "content_hash", "updated"]


@dataclass(frozen=True)
class Stored:
    """What storing a batch of records did."""

    document_ids: list[int]  # documents new or changed, by id
    duplicates: int  # records already stored as they are, or repeated within the batch
    failures: list[RecordError]  # records not stored
    warnings: list[RecordError]  # records stored without some of their input


def store_records(
    corpus: Corpus, items: list[ParsedRecord | RecordError], by: AbstractBaseUser | None = None
) -> Stored:
    """Store a batch of parsed records; unchanged documents are skipped, failures handed back.
    The subjects the records give are ``by``'s decisions (None: a command's).

    Run it inside the transaction that records the batch, so a batch is stored once or not at all.
    """
    failures = [item for item in items if isinstance(item, RecordError)]
    records: dict[str, ParsedRecord] = {}
    duplicates = 0
    for record in (item for item in items if isinstance(item, ParsedRecord)):
        duplicates += record.external_id in records
        records[record.external_id] = record
    existing = {
        d.external_id: d for d in Document.objects.filter(corpus=corpus, external_id__in=list(records))
    }
    new, changed = [], []
    for external_id, record in records.items():
        document = existing.get(external_id)
        if document is None:
            new.append(_document(corpus, record))
        elif document.content_hash != record.content_hash:
            _fill(document, record)
            changed.append(document)
        else:
            duplicates += 1
    Document.objects.bulk_create(new)
    Document.objects.bulk_update(changed, DOCUMENT_FIELDS)
    stored = dict(
        Document.objects.filter(
            corpus=corpus, external_id__in=[d.external_id for d in new + changed]
        ).values_list("external_id", "id")
    )
    unknown = store_librarian_subjects(corpus, {stored[e]: records[e] for e in stored}, by)
    warnings = [
        RecordError(records[e].file, records[e].line, field, reason)
        for e in stored
        for field, reason in records[e].warnings
    ]
    warnings += [
        RecordError(
            record.file,
            record.line,
            "labels",
            f"not in taxonomy {corpus.taxonomy}: {', '.join(map(repr, labels))};"
            " the document is stored without them",
        )
        for record, labels in unknown
    ]
    return Stored(sorted(stored.values()), duplicates, failures, warnings)


def store_librarian_subjects(
    corpus: Corpus, records: dict[int, ParsedRecord], by: AbstractBaseUser | None = None
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
                decided_by=by,
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
