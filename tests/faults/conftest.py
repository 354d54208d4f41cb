"""Fault tests: real workers ingest real records while a process they depend on dies or restarts.

Two worker commands started apart, as two hosts would run them, on the embedded default and (by
bin/test) on PostgreSQL + Redis. Small batches, so that a job has a middle to break; short stall and
retry times, so that recovery happens within a test.
"""

import gzip
import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import pytest

from tests.conftest import ARXIV_DEV
from tests.fixtures.search_server import SearchServer, drop_alias, free_port

DOCUMENTS = 160
STARTUP_TIMEOUT_S = 30
WORKERS = 2


@pytest.fixture
def start_workers(start_worker):
    """Start WORKERS workers of one process each, each its own command; returns them."""
    return lambda broker=None: [start_worker(broker=broker) for _ in range(WORKERS)]


@pytest.fixture(autouse=True)
def fault_settings(settings) -> None:
    """Set before the broker and worker fixtures read them."""
    settings.INGEST_BATCH_SIZE = 16
    settings.INGEST_MAX_PENDING_BATCHES = 4
    settings.INGEST_WATCHDOG_INTERVAL_S = 2
    settings.INGEST_STALL_TIMEOUT_S = 20
    settings.INGEST_TASK_MAX_RETRIES = 12
    settings.INGEST_RETRY_BACKOFF_MAX_S = 4
    settings.CELERY_VISIBILITY_TIMEOUT = 30


@pytest.fixture
def corpus_file(tmp_path) -> tuple[Path, list[dict]]:
    """The first DOCUMENTS real arXiv records, as JSON Lines, and their objects."""
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as source:
        lines = list(islice(source, DOCUMENTS))
    path = tmp_path / "records.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return path, [json.loads(line) for line in lines]


@pytest.fixture
def search_server(tmp_path_factory, settings) -> Iterator[SearchServer]:
    """The worker and this process index into a private noida-db."""
    server = SearchServer(free_port(), tmp_path_factory.mktemp("noida") / "data")
    server.data_dir.mkdir()
    server.start()
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = server.url
    yield server
    if server.process is None:
        server.start()
    drop_alias(server.url, settings.SEARCH_INDEX)
    server.stop()
