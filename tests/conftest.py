"""Fixtures shared by every test: real data from ../shared/data, a real taxonomy, users with roles."""

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from rest_framework.test import APIClient

from accounts.roles import Role, grant
from taxonomy.actions import import_taxonomy

pytest_plugins = ["tests.fixtures.search_server", "tests.fixtures.worker"]

SHARED_DATA = Path(
    os.environ.get("SHELFMARK_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
ARXIV_NODES = SHARED_DATA / "taxonomies" / "arxiv-nodes.csv"
ARXIV_DEV = SHARED_DATA / "corpora" / "arxiv-2025-dev.jsonl.gz"
PASSWORD = "a-test-password-of-every-test-user"


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


@pytest.fixture
def user_with(db) -> Callable[..., AbstractBaseUser]:
    """Make a user who holds a role (named after it unless ``name`` is given)."""

    def make(role: Role, name: str = "") -> AbstractBaseUser:
        user = get_user_model().objects.create_user(name or role.group, password=PASSWORD)
        grant(user, role)
        return user

    return make


@pytest.fixture
def librarian(user_with) -> AbstractBaseUser:
    return user_with(Role.LIBRARIAN)


@pytest.fixture
def client(client, librarian) -> Client:
    """The browser of a signed-in librarian, whose role most pages serve; tests of other roles and of
    anonymous visitors sign in (or not) themselves."""
    client.force_login(librarian)
    return client


@pytest.fixture
def api(librarian) -> APIClient:
    """An API client signed in (by session) as a librarian."""
    api = APIClient()
    api.force_login(librarian)
    return api


@pytest.fixture
def eager_pipeline(settings) -> None:
    """Celery tasks run in the test process, and every task module is registered as in a worker."""
    from shelfmark.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    app.loader.import_default_modules()
