"""Fixtures shared by every test: real data from ../shared/data, a real taxonomy, users with roles."""

import csv
import os
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

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
ACM_CCS = SHARED_DATA / "taxonomies" / "acm-ccs-2012.skos.xml"
RDF, SKOS = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}", "{http://www.w3.org/2004/02/skos/core#}"
PASSWORD = "a-test-password-of-every-test-user"


@pytest.fixture
def arxiv_taxonomy(db):
    """The real arXiv taxonomy (166 nodes), imported through the real action."""
    return import_taxonomy(ARXIV_NODES, name="arxiv")


def skos_as_nodes_csv(skos: Path, out: Path) -> Path:
    """A SKOS concept scheme written as the importer's nodes CSV: each concept's id, its broader
    concepts joined by "|", its preferred label and scope note (the importer reads no SKOS)."""
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "parent", "label", "description"])
        for concept in ElementTree.parse(skos).getroot().iter(f"{SKOS}Concept"):
            broader = (b.get(f"{RDF}resource").lstrip("#") for b in concept.iter(f"{SKOS}broader"))
            label, note = concept.findtext(f"{SKOS}prefLabel"), concept.findtext(f"{SKOS}scopeNote")
            writer.writerow([concept.get(f"{RDF}about").lstrip("#"), "|".join(broader), label, note or ""])
    return out


@pytest.fixture
def acm_taxonomy(db, tmp_path):
    """The real ACM CCS 2012 (2,299 concepts, 98 with several parents, 147 with several paths to a root), imported through the real action."""
    return import_taxonomy(skos_as_nodes_csv(ACM_CCS, tmp_path / "acm-ccs.csv"), name="acm-ccs")


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
