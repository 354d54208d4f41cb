"""A small library for the web tests: real arXiv records, classified by the real model, indexed."""

import gzip
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import override_settings

from classifier.actions import classify_documents
from ingest.parsers.jsonl import record_from_object
from library.actions import get_or_create_corpus
from library.models import Corpus, Document
from search.actions import index_documents
from taxonomy.actions import import_taxonomy
from taxonomy.models import Taxonomy
from tests.conftest import ARXIV_DEV, ARXIV_NODES
from tests.helpers import store_documents

LIBRARY_SIZE = 20
TAXONOMY_NAME = "arxiv"


@dataclass
class Library:
    taxonomy: Taxonomy
    corpus: Corpus
    documents: list[Document]
    index_path: Path

    @property
    def placed(self) -> list[Document]:
        """The documents the model gave subjects (the others it left below the suggestion floor)."""
        return [d for d in self.documents if d.assessment.classifiable]


def read_lines(count: int, skip: int = 0) -> list[str]:
    """Raw lines of the real arXiv dev corpus."""
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as handle:
        return list(itertools.islice(handle, skip, skip + count))


def build_library(index_path: Path, version: str, count: int = LIBRARY_SIZE) -> Library:
    """Import the arXiv taxonomy, store ``count`` real records, classify them with the real model, index them."""
    taxonomy = import_taxonomy(ARXIV_NODES, name=TAXONOMY_NAME, version=version)
    corpus = get_or_create_corpus(f"arxiv-dev-{version}", taxonomy)
    records = [
        record_from_object(json.loads(line), ARXIV_DEV.name, number)
        for number, line in enumerate(read_lines(count), start=1)
    ]
    documents = store_documents(corpus, records)
    classify_documents(taxonomy, documents)
    documents = list(Document.objects.filter(corpus=corpus).select_related("assessment").order_by("id"))
    with override_settings(SEARCH_EMBEDDED_PATH=index_path):
        assert index_documents([d.id for d in documents]) == len(documents)
    return Library(taxonomy, corpus, documents, index_path)


@contextmanager
def module_library(
    django_db_blocker, folder: Path, version: str, count: int = LIBRARY_SIZE
) -> Iterator[Library]:
    """A library built once for a test module and removed after it (each test's changes roll back).

    Built outside the tests' transactions, its ids are never handed out again.
    """
    with django_db_blocker.unblock():
        built = build_library(folder / "search.sqlite3", version=version, count=count)
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            Corpus.objects.filter(taxonomy=built.taxonomy).delete()
            built.taxonomy.delete()


@pytest.fixture(scope="module")
def library(request, django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Library]:
    """One library per test module, built once (the model is the expensive part)."""
    name = request.module.__name__.rsplit(".", 1)[-1]
    with module_library(django_db_blocker, tmp_path_factory.mktemp("web-search"), f"web-{name}") as built:
        yield built


@pytest.fixture
def searchable(library: Library, settings) -> Library:
    """The library, with the search backend pointed at its index for this test."""
    settings.SEARCH_EMBEDDED_PATH = library.index_path
    return library
