"""Fixtures shared by every test: real data from ../shared/data, a real taxonomy."""

import os
from pathlib import Path

import pytest

from taxonomy.actions import import_taxonomy

pytest_plugins = ["tests.fixtures.search_server", "tests.fixtures.worker"]

SHARED_DATA = Path(
    os.environ.get("SHELFMARK_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
ARXIV_NODES = SHARED_DATA / "taxonomies" / "arxiv-nodes.csv"
ARXIV_DEV = SHARED_DATA / "corpora" / "arxiv-2025-dev.jsonl.gz"


@pytest.fixture
def arxiv_taxonomy(db):
    """The real arXiv taxonomy (166 nodes), imported through the real action."""
    return import_taxonomy(ARXIV_NODES, name="arxiv")


@pytest.fixture(autouse=True)
def _isolated_storage(settings, tmp_path):
    """Each test gets its own embedded search index and upload folder; tests that want
    Elasticsearch ask for the ``search_backend`` fixture."""
    settings.SEARCH_BACKEND = "embedded"
    settings.SEARCH_EMBEDDED_PATH = tmp_path / "search.sqlite3"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SEARCH_INDEX = f"shelfmark-test-{os.getpid()}-{tmp_path.name}".lower()
