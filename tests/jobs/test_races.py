"""Races that a database's own locks must settle, forced with threads (each with a connection of
its own) and barriers. Run on SQLite and, by bin/test, on PostgreSQL, whose row locks they test."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.db.models import QuerySet

from classifier import actions as classifier_actions
from classifier import review
from classifier.actions import classify_documents
from jobs import reclassify, resumable
from jobs.errors import OffsetConflict
from jobs.models import IngestBatch, IngestJob
from jobs.progress import refresh_progress
from jobs.reclassify import ReclassificationRunning, start_reclassify
from library.models import Classification, RejectedSubject
from tests.jobs.test_reclassify_start import corpus  # noqa: F401 (six real arXiv records, stored)

pytestmark = pytest.mark.django_db(transaction=True)
TIMEOUT = 60


def together(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads of their own at once; what each returned or raised."""
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 (the test looks at what each raised)
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    return results


def test_two_runs_of_one_batch_at_once_both_succeed_and_store_each_subject_once(corpus, monkeypatch):  # noqa: F811
    documents = list(corpus.documents.order_by("pk"))
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    vectors = classifier_actions.document_vectors

    def vectors_then_wait(encoder, batch):  # both have predicted before either stores
        found = vectors(encoder, batch)
        barrier.wait()
        return found

    monkeypatch.setattr(classifier_actions, "document_vectors", vectors_then_wait)
    results = together(*[lambda: classify_documents(corpus.taxonomy, documents)] * 2)

    assert results == [len(documents), len(documents)]
    rows = Classification.objects.filter(document__corpus=corpus)
    keys = list(rows.values_list("document_id", "node_id", "source"))
    assert len(keys) == len(set(keys)) and {d for d, _, _ in keys} == {d.pk for d in documents}


def test_a_rejection_during_a_classification_is_not_proposed_again(corpus, monkeypatch):  # noqa: F811
    documents = list(corpus.documents.order_by("pk"))
    classify_documents(corpus.taxonomy, documents)
    first = documents[0]
    subject = Classification.objects.filter(document=first, is_leaf_prediction=True).order_by("rank").first()
    locked, go_on = threading.Event(), threading.Event()
    lock = classifier_actions.lock_documents

    def lock_then_wait(ids):  # the classification holds the documents while the rejection arrives
        held = lock(ids)
        locked.set()
        assert go_on.wait(TIMEOUT)
        return held

    monkeypatch.setattr(classifier_actions, "lock_documents", lock_then_wait)

    def reject_once_locked():
        assert locked.wait(TIMEOUT)
        threading.Timer(1.0, go_on.set).start()  # the rejection waits on the lock meanwhile
        review.reject(subject)

    together(lambda: classify_documents(corpus.taxonomy, documents), reject_once_locked)

    assert RejectedSubject.objects.filter(document=first, node=subject.node).exists()
    assert not Classification.objects.filter(document=first, node=subject.node).exists()
    classify_documents(corpus.taxonomy, [first])  # and a later run does not bring it back
    assert not Classification.objects.filter(document=first, node=subject.node).exists()


def test_two_requests_to_reclassify_at_once_start_one_job(corpus, monkeypatch):  # noqa: F811
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite takes its write lock when the transaction begins: the two cannot interleave there"
        )
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    lock = reclassify.lock_corpus

    def wait_then_lock(target):  # both have read the corpus before either takes its lock
        barrier.wait()
        lock(target)

    monkeypatch.setattr(reclassify, "lock_corpus", wait_then_lock)
    results = together(lambda: start_reclassify(corpus), lambda: start_reclassify(corpus))

    started = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, ReclassificationRunning)]
    assert len(started) == 1 and len(refused) == 1
    assert refused[0].job.pk == started[0].pk


def test_two_clients_sending_at_one_offset_never_write_over_counted_bytes(arxiv_taxonomy, monkeypatch):
    upload = resumable.create_upload("race.jsonl", 8, "race", arxiv_taxonomy)
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    claim = resumable._claim

    def wait_then_claim(upload_id, offset):  # both passed the offset check before either claims
        barrier.wait()
        return claim(upload_id, offset)

    monkeypatch.setattr(resumable, "_claim", wait_then_claim)
    sent = [b"AAAAAAAA", b"BBBBBBBB"]
    results = together(
        *[lambda data=data: resumable.append_chunk(upload, 0, 8, iter([data])) for data in sent]
    )

    assert [isinstance(r, OffsetConflict) for r in results].count(True) == 1, results
    (winner,) = [i for i, r in enumerate(results) if not isinstance(r, Exception)]
    assert results[winner].state == "complete"
    with open(results[winner].job.source_path, "rb") as stored:
        assert stored.read() == sent[winner]


def test_a_slower_count_never_writes_older_totals_over_a_newer_one(corpus, monkeypatch):  # noqa: F811
    job = IngestJob.objects.create(
        corpus=corpus, source_name="r.jsonl", source_path="", state="running", parsed_all=True
    )
    for seq, indexed in enumerate([True, False]):
        IngestBatch.objects.create(
            job=job, seq=seq, document_ids=[seq], size=1, read=1, classified=True, indexed=indexed
        )
    counted, go_on = threading.Event(), threading.Event()
    aggregate = QuerySet.aggregate

    def count_then_wait(queryset, *args, **kwargs):  # the first call has counted, not yet written
        totals = aggregate(queryset, *args, **kwargs)
        if not counted.is_set():
            counted.set()
            assert go_on.wait(TIMEOUT)
        return totals

    monkeypatch.setattr(QuerySet, "aggregate", count_then_wait)

    def last_batch_through():
        assert counted.wait(TIMEOUT)
        threading.Timer(1.0, go_on.set).start()
        IngestBatch.objects.filter(job=job, seq=1).update(indexed=True)
        refresh_progress(job.pk)

    together(lambda: refresh_progress(job.pk), last_batch_through)

    job.refresh_from_db()
    assert (job.state, job.stored, job.classified, job.indexed) == ("done", 2, 2, 2)
