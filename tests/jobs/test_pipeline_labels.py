"""Subjects given in the input become librarian classifications when a batch is stored."""

import gzip
import json
from dataclasses import replace
from itertools import islice

import pytest

from ingest.types import ParsedRecord
from jobs.batches import store_batch
from jobs.models import IngestJob
from jobs.progress import refresh_progress
from library.actions import get_or_create_corpus
from library.models import Classification, Document
from taxonomy.actions import import_taxonomy
from taxonomy.tree import Tree
from tests.conftest import ARXIV_DEV, SHARED_DATA

pytestmark = pytest.mark.django_db

FORC4CL = SHARED_DATA / "corpora" / "forc4cl-val.jsonl.gz"
TAXONOMY4CL = SHARED_DATA / "taxonomies" / "taxonomy4cl-v1.0.1.json"


def real_records(path, count: int, label_field: str) -> list[ParsedRecord]:
    """The first ``count`` records of a shared corpus, with the subjects of ``label_field``."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        objects = [json.loads(line) for line in islice(handle, count)]
    return [
        ParsedRecord(
            file=path.name,
            line=line,
            external_id=o["id"],
            title=o["title"],
            abstract=o["abstract"],
            labels=tuple(o[label_field]),
        )
        for line, o in enumerate(objects, 1)
    ]


def librarian_subjects(document: Document) -> dict[str, bool]:
    """Code -> whether it was given (rather than implied) for the document's librarian subjects."""
    rows = document.classifications.filter(source=Classification.Source.LIBRARIAN).select_related("node")
    return {c.node.code: c.is_leaf_prediction for c in rows}


@pytest.fixture
def arxiv_job(arxiv_taxonomy) -> IngestJob:
    corpus = get_or_create_corpus("arxiv-labels", arxiv_taxonomy)
    return IngestJob.objects.create(corpus=corpus, source_name="dev.jsonl", source_path="dev.jsonl")


def test_arxiv_categories_are_stored_with_their_ancestors(arxiv_job):
    records = real_records(ARXIV_DEV, 30, "categories")
    store_batch(arxiv_job, 0, records)

    tree = Tree.from_taxonomy(arxiv_job.corpus.taxonomy)
    for record in records:
        document = Document.objects.get(corpus=arxiv_job.corpus, external_id=record.external_id)
        subjects = librarian_subjects(document)
        assert {code for code, given in subjects.items() if given} == set(record.labels)
        assert set(subjects) == tree.closure(record.labels)
        assert {(c.score, c.rank, c.model_version) for c in document.classifications.all()} == {(1.0, 1, "")}
    assert not arxiv_job.failures.exists()


def test_label_paths_resolve_and_unknown_ones_are_warnings_not_failures(arxiv_job):
    """arXiv's own label paths name physics categories with an extra "Physics" level the
    taxonomy folds away: those do not resolve, and the document is stored without them."""
    records = real_records(ARXIV_DEV, 400, "labels")
    physics = [r for r in records if any(label.startswith("Physics/Physics/") for label in r.labels)]
    plain = [r for r in records if r.labels and all(label.count("/") == 1 for label in r.labels)]
    assert physics and plain
    batch = store_batch(arxiv_job, 0, records)
    refresh_progress(arxiv_job.pk)

    arxiv_job.refresh_from_db()
    assert (arxiv_job.stored, arxiv_job.failed) == (len(records), 0)
    assert arxiv_job.warnings == batch.warnings == len({r.external_id for r in physics})
    warnings = {w.line: w for w in arxiv_job.failures.all()}
    for record in physics:
        warning = warnings[record.line]
        assert (warning.warning, warning.field, warning.file) == (True, "labels", record.file)
        unknown = [label for label in record.labels if label.startswith("Physics/Physics/")]
        assert all(repr(label) in warning.reason for label in unknown)
    tree = Tree.from_taxonomy(arxiv_job.corpus.taxonomy)
    for record in plain:
        document = Document.objects.get(corpus=arxiv_job.corpus, external_id=record.external_id)
        given = {code for code, is_given in librarian_subjects(document).items() if is_given}
        assert [tree.labels[code] for code in given] and len(given) == len(set(record.labels))
        assert {f"{tree.labels[tree.first_path(c)[0]]}/{tree.labels[c]}" for c in given} == set(record.labels)


def test_a_unique_label_alone_names_its_node(arxiv_job):
    record = real_records(ARXIV_DEV, 1, "categories")[0]
    store_batch(arxiv_job, 0, [replace(record, labels=("Computation and Language", "No Such Subject"))])

    document = Document.objects.get(external_id=record.external_id)
    assert {code for code, given in librarian_subjects(document).items() if given} == {"cs.CL"}
    assert "'No Such Subject'" in arxiv_job.failures.get().reason


def test_changed_content_replaces_librarian_subjects_and_unchanged_keeps_them(arxiv_job):
    record = real_records(ARXIV_DEV, 1, "categories")[0]
    store_batch(arxiv_job, 0, [replace(record, labels=("cs.CL", "cs.AI"))])
    document = Document.objects.get(external_id=record.external_id)
    first = set(document.classifications.values_list("pk", flat=True))

    again = store_batch(arxiv_job, 1, [replace(record, labels=("cs.CL", "cs.AI"))])
    assert (again.size, again.duplicates) == (0, 1)
    assert set(document.classifications.values_list("pk", flat=True)) == first

    store_batch(arxiv_job, 2, [replace(record, labels=("math.NT",))])
    assert librarian_subjects(document) == {"math.NT": True, "math": False}

    store_batch(arxiv_job, 3, [replace(record, labels=(), title=record.title + " (revised)")])
    assert librarian_subjects(document) == {}


def test_forc4cl_label_paths_name_taxonomy4cl_nodes(db):
    """FoRC4CL gives the deepest Taxonomy4CL labels as paths; every one names a node."""
    taxonomy = import_taxonomy(TAXONOMY4CL, name="taxonomy4cl")
    corpus = get_or_create_corpus("forc4cl", taxonomy)
    job = IngestJob.objects.create(corpus=corpus, source_name="val.jsonl", source_path="val.jsonl")
    records = real_records(FORC4CL, 40, "labels")

    store_batch(job, 0, records)

    assert not job.failures.exists()
    tree = Tree.from_taxonomy(taxonomy)
    for record in records:
        document = Document.objects.get(corpus=corpus, external_id=record.external_id)
        subjects = librarian_subjects(document)
        given = {code for code, is_given in subjects.items() if is_given}
        assert {"/".join(tree.labels[c] for c in tree.first_path(code)) for code in given} == set(
            record.labels
        )
        assert set(subjects) == tree.closure(given)
