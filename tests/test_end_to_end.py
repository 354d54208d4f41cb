"""A corpus goes in through a real worker; classified documents come out, stored once and searchable."""

import gzip
import json
from collections import Counter
from itertools import islice

import pytest
from django.db import transaction

from jobs.actions import start_ingest
from jobs.models import IngestJob
from library.actions import get_or_create_corpus
from library.models import Classification, Document, DocumentAssessment
from search.types import SearchQuery
from taxonomy.actions import import_taxonomy
from taxonomy.tree import Tree
from tests.conftest import ARXIV_DEV, ARXIV_NODES
from tests.helpers import wait_for_job

DOCUMENTS = 240


@pytest.fixture
def corpus_file(tmp_path):
    """The first DOCUMENTS real arXiv records, one of them twice, plus one broken line (line 3)."""
    with gzip.open(ARXIV_DEV, "rt") as source:
        lines = list(islice(source, DOCUMENTS))
    lines = lines[:2] + ['{"id": "broken", "title": \n'] + lines[2:] + [lines[0]]
    path = tmp_path / "sample.jsonl"
    path.write_text("".join(lines))
    return path, [json.loads(line)["id"] for line in lines if line.strip() != '{"id": "broken", "title":']


def ingest_and_wait(corpus, path) -> IngestJob:
    with transaction.atomic():
        job = start_ingest(corpus, path)
    return wait_for_job(job)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_corpus_is_classified_stored_once_and_searchable(search_backend, start_worker, corpus_file):
    path, ids = corpus_file
    taxonomy = import_taxonomy(ARXIV_NODES, name="arxiv")
    corpus = get_or_create_corpus("arxiv-sample", taxonomy)
    start_worker()

    job = ingest_and_wait(corpus, path)

    assert job.state == IngestJob.State.DONE, job.message
    assert (job.read, job.stored, job.duplicates, job.failed, job.warnings) == (
        DOCUMENTS + 2,
        DOCUMENTS,
        1,
        1,
        0,
    )
    assert (job.classified, job.indexed) == (DOCUMENTS, DOCUMENTS)
    failure = job.failures.get()
    assert (failure.file, failure.line) == ("sample.jsonl", 3)
    assert "invalid JSON" in failure.reason

    # Every document stored once.
    stored = list(Document.objects.filter(corpus=corpus).values_list("external_id", flat=True))
    assert sorted(stored) == sorted(set(ids)) and len(stored) == DOCUMENTS

    # Every document is classified once. Its subjects are the model's and the librarian's (the
    # categories the input gave), each node once (a librarian's subject stands), together closed
    # over ancestors; the model's scores never rise down a path.
    tree = Tree.from_taxonomy(taxonomy)
    assert DocumentAssessment.objects.filter(document__corpus=corpus).count() == DOCUMENTS
    categories = {d.pk: d.metadata["categories"] for d in Document.objects.filter(corpus=corpus)}
    subjects: dict[int, dict[str, dict[str, Classification]]] = {
        d: {"model": {}, "librarian": {}} for d in categories
    }
    for c in Classification.objects.filter(document__corpus=corpus).select_related("node"):
        subjects[c.document_id][c.source][c.node.code] = c
    for document_id, by_source in subjects.items():
        model, librarian = by_source["model"], by_source["librarian"]
        assert not model.keys() & librarian.keys()
        given = {code for code, c in librarian.items() if c.is_leaf_prediction}
        assert given == set(categories[document_id]) and set(librarian) == tree.closure(given)
        assert {(c.score, c.rank, c.model_version) for c in librarian.values()} == {(1.0, 1, "")}
        leaves = given | {code for code, c in model.items() if c.is_leaf_prediction}
        assert all(code in tree.leaves for code in leaves)
        assert set(model) | set(librarian) == tree.closure(leaves)
        for code, c in model.items():
            assert all(model[a].score >= c.score for a in tree.ancestors(code) if a in model)

    # Search finds them, with facet counts that agree with the database: the librarian's subjects
    # (accepted) by default, the zero-shot model's suggestions too when asked for.
    assert search_backend.count() == DOCUMENTS
    everything = search_backend.search(SearchQuery(size=5, suggested=True))
    assert everything.total == DOCUMENTS
    db_counts = Counter(
        code for by_source in subjects.values() for codes in by_source.values() for code in codes
    )
    assert everything.facets == dict(db_counts)
    accepted = search_backend.search(SearchQuery(size=5))
    assert accepted.facets == dict(
        Counter(code for by_source in subjects.values() for code in by_source["librarian"])
    )
    some = Document.objects.filter(corpus=corpus).order_by("id")[17]
    hits = search_backend.search(SearchQuery(text=some.title)).hits
    assert hits[0].id == some.id
    top = max(tree.roots, key=lambda code: db_counts[code])
    filtered = search_backend.search(SearchQuery(nodes=(top,), size=1, suggested=True))
    assert filtered.total == db_counts[top]

    # Ingesting the same file again stores nothing new.
    again = ingest_and_wait(corpus, path)
    assert again.state == IngestJob.State.DONE
    assert (again.stored, again.duplicates, again.failed) == (0, DOCUMENTS + 1, 1)
    assert Document.objects.filter(corpus=corpus).count() == DOCUMENTS
