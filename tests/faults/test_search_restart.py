"""The search server stops in the middle of indexing: a short outage is retried through; a long
one fails the job, saying which batches, and those can be retried once the server is back."""

import time

import pytest
from django.core.management import call_command

from jobs.models import IngestJob
from library.actions import get_or_create_corpus
from taxonomy.actions import import_taxonomy
from tests.conftest import ARXIV_NODES
from tests.faults.checks import assert_ingested_once, finished, indexed_some, start_job, wait_for_job

pytestmark = [pytest.mark.slow, pytest.mark.search, pytest.mark.django_db(transaction=True)]

OUTAGE_S = 3


def test_indexing_goes_on_after_the_search_server_comes_back(search_server, start_workers, corpus_file):
    path, records = corpus_file
    corpus = get_or_create_corpus("search-restart", import_taxonomy(ARXIV_NODES, name="arxiv"))
    start_workers()

    job = wait_for_job(start_job(corpus, path), indexed_some)
    assert not finished(job), "the job ended before the search server could be stopped"
    search_server.stop()
    time.sleep(OUTAGE_S)
    search_server.start()

    wait_for_job(job, finished)
    assert_ingested_once(job, records)


def test_a_long_outage_fails_the_job_and_its_batches_can_be_retried(
    search_server, start_workers, corpus_file, settings
):
    settings.INGEST_TASK_MAX_RETRIES = 2
    settings.INGEST_RETRY_BACKOFF_MAX_S = 1
    path, records = corpus_file
    corpus = get_or_create_corpus("search-down", import_taxonomy(ARXIV_NODES, name="arxiv"))
    start_workers()

    job = wait_for_job(start_job(corpus, path), indexed_some)
    assert not finished(job), "the job ended before the search server could be stopped"
    search_server.stop()

    job = wait_for_job(job, finished)
    assert job.state == IngestJob.State.FAILED
    assert "could not be classified or indexed" in job.message
    assert "search.index_documents: ConnectionError" in job.message
    failed = job.batches.exclude(error="")
    assert failed.exists() and not failed.filter(indexed=True).exists()

    search_server.start()
    call_command("resume_jobs", "--retry-failed", str(job.pk))
    wait_for_job(job, finished)
    assert_ingested_once(job, records)
