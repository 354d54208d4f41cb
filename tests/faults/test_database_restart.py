"""PostgreSQL goes away in the middle of a job, as during a restart: every connection of the test
database is cut and new ones are refused for a few seconds. Workers retry, reconnect, and the job
ends with each record stored, classified and indexed once. PostgreSQL only (bin/test runs it there)."""

import time

import pytest
from django.db import connection

from library.actions import get_or_create_corpus
from taxonomy.actions import import_taxonomy
from tests.conftest import ARXIV_NODES
from tests.faults.checks import assert_ingested_once, finished, indexed_some, start_job, wait_for_job

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
OUTAGE_S = 5


def cut_connections(refuse: bool) -> None:
    """Refuse new connections to the test database (or allow them again), then end every one but
    this process's; said from the server's maintenance database, as an operator would."""
    import psycopg

    db = connection.settings_dict
    name = db["NAME"]
    with psycopg.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"],
        port=db["PORT"],
        autocommit=True,
    ) as admin:
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {"false" if refuse else "true"}')
        if refuse:
            ours = connection.cursor().connection.info.backend_pid
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
                [name, ours],
            )


def test_the_job_survives_the_database_going_away(start_workers, corpus_file):
    if connection.vendor != "postgresql":
        pytest.skip("cuts PostgreSQL's connections; SQLite has none to cut")
    path, records = corpus_file
    corpus = get_or_create_corpus("database-restart", import_taxonomy(ARXIV_NODES, name="arxiv"))
    start_workers()

    job = wait_for_job(start_job(corpus, path), indexed_some)
    assert not finished(job), "the job ended before the database could go away"
    cut_connections(refuse=True)
    try:
        time.sleep(OUTAGE_S)
    finally:
        cut_connections(refuse=False)

    wait_for_job(job, finished)
    assert_ingested_once(job, records)
