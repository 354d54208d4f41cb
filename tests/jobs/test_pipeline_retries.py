"""Pipeline tasks retry errors of a service that is away, and only those, then fail for good."""

import socket
import sqlite3

import django.db
import pytest
import redis
from django.conf import settings
from elasticsearch import Elasticsearch
from kombu import Connection

from ingest.errors import RecordError
from search.tasks import index_documents
from shelfmark.celery import TransientError, is_transient


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def error_of(action) -> BaseException:
    try:
        action()
    except Exception as error:
        return error
    raise AssertionError("no error")


def test_errors_of_services_that_are_away_are_transient_and_others_are_not():
    port = closed_port()
    transient = [
        error_of(lambda: redis.Redis(port=port, socket_connect_timeout=1).ping()),
        error_of(lambda: Elasticsearch(f"http://127.0.0.1:{port}", max_retries=0).info()),
        error_of(lambda: Connection(f"redis://127.0.0.1:{port}/0").ensure_connection(max_retries=1)),
        error_of(lambda: sqlite3.connect(":memory:").execute("SELECT * FROM nowhere")),
        django.db.OperationalError("server closed the connection unexpectedly"),
    ]
    assert all(is_transient(error) for error in transient), [type(e) for e in transient]
    lasting = [ValueError("no"), RecordError("a.jsonl", 3, "title", "missing"), KeyError("cs.XX")]
    assert not any(is_transient(error) for error in lasting)


@pytest.fixture
def unreachable_search(settings):
    """Indexing goes to an Elasticsearch nobody answers at."""
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{closed_port()}"


@pytest.mark.django_db
def test_a_task_retries_a_service_that_is_away_then_fails(unreachable_search):
    """Run in this process, where retries come at once (a worker waits between them, see tests/faults)."""
    result = index_documents.apply(args=([1, 2],), throw=False)

    assert index_documents.max_retries == settings.INGEST_TASK_MAX_RETRIES > 0
    assert result.failed() and isinstance(result.result, TransientError)
    assert str(result.result).startswith("ConnectionError: ")
