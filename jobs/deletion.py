"""Deleting documents: one at once, a job's or a corpus's in bounded chunks on a worker. The index
follows the database; the decisions made on the documents stay in the audit trail."""

from collections.abc import Iterable

from django.db import transaction

from jobs.models import IngestJob
from jobs.pipeline import queue_task
from library.audit import Actor, record
from library.models import Corpus, Decision, Document
from search.actions import index_documents

CHUNK = 500  # documents deleted, and taken out of the index, per step


@transaction.atomic
def delete_document(document: Document, by: Actor = None) -> None:
    """Delete one document now; the index drops it once the deletion is committed."""
    detail = f"{document.external_id}: {document.title}"
    record(
        Decision.Action.DELETE_DOCUMENT,
        by,
        document_id=document.pk,
        corpus=document.corpus.name,
        detail=detail,
    )
    document_id = document.pk
    document.delete()
    transaction.on_commit(lambda: queue_task("search.index_documents", [document_id], queue="index"))


def start_corpus_deletion(corpus: Corpus, by: Actor = None) -> None:
    """Record the decision and queue the deletion of the corpus, its documents and its jobs."""
    count = corpus.documents.count()
    record(Decision.Action.DELETE_CORPUS, by, corpus=corpus.name, detail=f"{count} documents")
    transaction.on_commit(lambda: queue_task("jobs.delete_corpus", corpus.pk))


def start_job_documents_deletion(job: IngestJob, by: Actor = None) -> None:
    """Record the decision and queue the deletion of the documents the job stored or changed."""
    record(Decision.Action.DELETE_JOB, by, corpus=job.corpus.name, detail=f"job {job.pk}: {job.source_name}")
    transaction.on_commit(lambda: queue_task("jobs.delete_job_documents", job.pk))


def delete_in_chunks(document_ids: Iterable[int]) -> int:
    """Delete these documents and take them out of the index, ``CHUNK`` at a time; how many went."""
    ids = sorted(set(document_ids))
    deleted = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        deleted += Document.objects.filter(pk__in=chunk).delete()[1].get("library.Document", 0)
        index_documents(chunk)  # ids no longer stored leave the index
    return deleted


def delete_corpus(corpus_id: int) -> int:
    """Delete the corpus's documents in chunks, then the corpus with its jobs; how many documents went."""
    documents = Document.objects.filter(corpus_id=corpus_id).values_list("pk", flat=True)
    deleted = delete_in_chunks(documents)
    Corpus.objects.filter(pk=corpus_id).delete()
    return deleted


def delete_job_documents(job_id: int) -> int:
    """Delete the documents the job stored or changed; how many went."""
    batches = IngestJob.objects.filter(pk=job_id).values_list("batches__document_ids", flat=True)
    return delete_in_chunks(i for ids in batches if ids for i in ids)
