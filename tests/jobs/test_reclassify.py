"""Reclassifying a corpus: real arXiv records, the real (zero-shot) model, the job run as workers run
it (tasks executed in this process, after commit). Running it again leaves the same rows, and
librarians' decisions stand: what they gave or accepted stays as it is, what they rejected is not
proposed again."""

from collections.abc import Callable, Iterator
from math import ceil

import pytest

from classifier import review
from classifier.versions import ZERO_SHOT
from jobs.models import IngestJob, Reclassification
from jobs.reclassify import start_reclassify
from library.models import Classification, Document, RejectedSubject
from search.actions import index_documents
from search.backends import get_backend
from search.types import SearchQuery
from shelfmark.celery import app as celery_app
from taxonomy.tree import Tree
from tests.web.conftest import Library, module_library

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

DOCUMENTS = 24
BATCH = 5


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Library]:
    """Real records classified zero-shot, built once for the module (each test's changes roll back)."""
    with module_library(
        django_db_blocker, tmp_path_factory.mktemp("reclassify"), "reclassify", DOCUMENTS
    ) as built:
        yield built


@pytest.fixture
def library(built: Library, settings) -> Library:
    """The module's library in this test's own index, with small batches of which few may be on
    their way at once, so that batching pauses and is woken as on a large corpus."""
    settings.INGEST_BATCH_SIZE = BATCH
    settings.INGEST_MAX_PENDING_BATCHES = 2
    index_documents([d.pk for d in built.documents])
    return built


@pytest.fixture
def committed(settings, django_capture_on_commit_callbacks) -> Callable:
    """Runs an action as if its transaction committed, and whatever it queues as a worker would
    (Celery tasks executed here), down to the last task that work queues in turn."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    celery_app.loader.import_default_modules()

    def run(action: Callable, *args):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args)

    return run


def rows(documents: list[Document]) -> dict[int, tuple]:
    """Every stored subject of the documents by id: what a classification says, its score last."""
    stored = Classification.objects.filter(document__in=documents).select_related("node")
    return {
        c.pk: (c.document_id, c.node.code, c.source, c.rank, c.is_leaf_prediction, c.status,
               c.model_version, c.reviewed, c.created, c.score)
        for c in stored
    }  # fmt: skip


def assert_same_rows(found: dict[int, tuple], expected: dict[int, tuple]) -> None:
    """The same rows with the same values; scores equal up to the rounding of batched float32
    arithmetic (a document's batch-mates change the last bits of its similarities)."""
    assert {pk: row[:-1] for pk, row in found.items()} == {pk: row[:-1] for pk, row in expected.items()}
    assert [found[pk][-1] for pk in expected] == pytest.approx(
        [row[-1] for row in expected.values()], abs=1e-5
    )


def standing(documents: list[Document]) -> dict[int, tuple]:
    """The rows that are librarians' decisions: given by a librarian, or accepted by one."""
    return {pk: row for pk, row in rows(documents).items() if row[2] == "librarian" or row[7] is not None}


def codes(document: Document) -> set[str]:
    return set(Classification.objects.filter(document=document).values_list("node__code", flat=True))


def top_leaf(document: Document) -> Classification:
    stored = Classification.objects.filter(document=document, is_leaf_prediction=True)
    return stored.select_related("node").order_by("rank", "-score").first()


def found(library: Library, code: str) -> set[int]:
    """Ids of the documents the search index files under ``code``, accepted there or suggested."""
    query = SearchQuery(nodes=(code,), taxonomy_id=library.taxonomy.pk, size=100, suggested=True)
    return {hit.id for hit in get_backend().search(query).hits}


def assert_ancestors_stored(tree: Tree, document: Document) -> None:
    chosen = Classification.objects.filter(document=document, is_leaf_prediction=True)
    assert codes(document) == tree.closure(chosen.values_list("node__code", flat=True))


def test_reclassifying_is_a_paced_job_and_running_it_twice_leaves_the_same_rows(library, committed):
    before = rows(library.documents)
    zero_shot_version = next(iter(before.values()))[6]
    assert zero_shot_version.startswith("zeroshot/")

    runs = []
    for _ in range(2):
        job = committed(start_reclassify, library.corpus)
        job.refresh_from_db()
        assert (job.state, job.message) == (IngestJob.State.DONE, "")
        assert Reclassification.objects.get(job=job).model_version == ZERO_SHOT
        counts = (job.expected, job.read, job.stored, job.classified, job.indexed, job.processed)
        assert counts == (DOCUMENTS,) * 6 and (job.failed, job.duplicates) == (0, 0)
        assert job.parse_turn > 0, "batching paused while two batches were on their way, and was woken"
        batches = list(job.batches.order_by("seq"))
        assert len(batches) == ceil(DOCUMENTS / BATCH) and all(b.classified and b.indexed for b in batches)
        assert sorted(i for b in batches for i in b.document_ids) == [d.pk for d in library.documents]
        assert job.eta_s == 0.0 and job.throughput > 0
        assert_same_rows(rows(library.documents), before)  # ids, subjects, ranks, model version, age
        runs.append((rows(library.documents), dict(Document.objects.values_list("pk", "updated"))))
    assert runs[1] == runs[0], "the same batches again: not a row written, not a document touched"

    subject = top_leaf(library.documents[0]).node.code
    assert library.documents[0].pk in found(library, subject), "the index was rebuilt from the rows"


def test_rejected_subjects_are_not_proposed_again_and_reviewed_ones_stay(library, committed):
    tree = Tree.from_taxonomy(library.taxonomy)
    rejected_leaf, rejected_branch, accepted, corrected, *others = library.documents

    leaf = top_leaf(rejected_leaf)
    committed(review.reject, leaf)
    branch_leaf = top_leaf(rejected_branch)
    root = tree.first_path(branch_leaf.node.code)[0]
    committed(review.reject, Classification.objects.get(document=rejected_branch, node__code=root))
    committed(review.accept, top_leaf(accepted))
    taken_back = top_leaf(corrected)
    committed(review.reject, taken_back)
    given = committed(review.correct, corrected, taken_back.node.code)  # a librarian gives it after all
    decided = standing([accepted, corrected])
    assert {row[2] for row in decided.values()} == {"model", "librarian"}
    remaining = {d.pk: codes(d) for d in (rejected_leaf, rejected_branch)}
    untouched = rows(others)

    job = committed(start_reclassify, library.corpus)

    job.refresh_from_db()
    assert job.state == IngestJob.State.DONE
    assert leaf.node.code not in codes(rejected_leaf)
    assert rejected_leaf.pk not in found(library, leaf.node.code)
    assert not {c for c in codes(rejected_branch) if c == root or root in tree.ancestors(c)}
    assert {d.pk: codes(d) for d in (rejected_leaf, rejected_branch)} == remaining
    assert_same_rows(standing([accepted, corrected]), decided)  # a librarian's decision stands
    assert Classification.objects.get(pk=given.pk).source == "librarian"
    assert_same_rows(rows(others), untouched)
    for document in library.documents:
        assert_ancestors_stored(tree, document)
    assert set(RejectedSubject.objects.values_list("document_id", "node__code", "model_version")) == {
        (rejected_leaf.pk, leaf.node.code, leaf.model_version),
        (rejected_branch.pk, root, branch_leaf.model_version),
    }, "correcting a subject ends its rejection"

    RejectedSubject.objects.filter(document=rejected_leaf).delete()  # without the memory,
    committed(start_reclassify, library.corpus)
    assert leaf.node.code in codes(rejected_leaf), "the same model proposes the subject again"
