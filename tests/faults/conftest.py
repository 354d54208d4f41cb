"""Fault tests: a real worker ingests real records while a process it depends on dies or restarts.

Small batches, so that a job has a middle to break; short stall and retry times, so that
recovery happens within a test.
"""

import gzip
import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from itertools import islice
from pathlib import Path

import pytest

from tests.conftest import ARXIV_DEV
from tests.fixtures.search_server import _drop_alias, _free_port

DOCUMENTS = 160
STARTUP_TIMEOUT_S = 30


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


@dataclass
class SearchServer:
    """A noida-db (Elasticsearch-compatible) server of the test's own that can be stopped and
    started again on the same port with the same data."""

    port: int
    data_dir: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = Path(str(files("noida_db").joinpath("noida-db")))
        command = [str(binary), "start", "--data-dir", str(self.data_dir), "--only", "elasticsearch"]
        command += ["--elasticsearch-port", str(self.port), "--host", "127.0.0.1"]
        log = (self.data_dir.parent / f"{self.data_dir.name}.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(self.url, timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"noida-db did not come up at {self.url} (exit code {self.process.poll()})")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


@pytest.fixture
def search_server(tmp_path_factory, settings) -> Iterator[SearchServer]:
    """The worker and this process index into a private noida-db."""
    server = SearchServer(_free_port(), tmp_path_factory.mktemp("noida") / "data")
    server.data_dir.mkdir()
    server.start()
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = server.url
    yield server
    if server.process is None:
        server.start()
    _drop_alias(server.url, settings.SEARCH_INDEX)
    server.stop()
