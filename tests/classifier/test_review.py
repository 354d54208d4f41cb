"""The librarians' review on real arXiv records classified by the real (zero-shot) model: each
action changes the rows as the model stores them, the queue follows, and so does the search index."""

from collections.abc import Iterator

import pytest

from classifier import review
from library.models import Classification, Decision, Document, DocumentAssessment
from library.queries import documents_without_subject, node_document_counts
from library.queue import Order, QueueFilter, review_queue, waiting_suggestions
from search.actions import index_documents
from search.backends import get_backend
from search.types import SearchQuery
from shelfmark.celery import app as celery_app
from taxonomy.tree import Tree
from tests.web.conftest import Library, module_library

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Library]:
    """Eight real records, classified zero-shot: every subject awaits review."""
    with module_library(django_db_blocker, tmp_path_factory.mktemp("review"), "review", 8) as built:
        yield built


@pytest.fixture
def library(built: Library, db) -> Library:
    """The module's library, indexed afresh into this test's own index."""
    index_documents([d.pk for d in built.documents])
    return built


@pytest.fixture
def committed(settings, django_capture_on_commit_callbacks):
    """Runs an action as if its transaction committed: the index task it queues runs here, as a
    worker would run it."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    celery_app.loader.import_default_modules()

    def run(action, *args):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            result = action(*args)
        assert len(callbacks) == 1, "one re-index per change"
        return result

    return run


def rows(document: Document) -> dict[tuple[str, str], Classification]:
    """The document's stored subjects by (code, source)."""
    stored = Classification.objects.filter(document=document).select_related("node")
    return {(c.node.code, c.source): c for c in stored}


def leaves(document: Document) -> list[Classification]:
    stored = Classification.objects.filter(document=document, is_leaf_prediction=True)
    return list(stored.select_related("node").order_by("rank"))


def assert_ancestors_stored(tree: Tree, document: Document) -> None:
    """The stored subjects are exactly the chosen ones with all their ancestors, as the model stores them."""
    codes = {code for code, _ in rows(document)}
    assert codes == tree.closure(c.node.code for c in leaves(document))


def found(library: Library, code: str) -> set[int]:
    """Ids of the documents the search index files under ``code``."""
    query = SearchQuery(nodes=(code,), taxonomy_id=library.taxonomy.pk, size=100, suggested=True)
    return {hit.id for hit in get_backend().search(query).hits}


def queued(**filters) -> list[int]:
    """Ids of the documents in the review queue, the longest waiting first."""
    return [d.pk for d in review_queue(QueueFilter(**filters), Order.OLDEST).documents]


def test_zero_shot_subjects_all_wait_for_review_oldest_first(library):
    queue = list(review_queue(QueueFilter(corpus=library.corpus.name), Order.OLDEST).documents)
    assert [d.pk for d in queue] == [d.pk for d in library.documents]
    assert all(d.waiting_since is not None for d in queue)
    leaf = leaves(library.documents[0])[0].node.code
    under_leaf = set(queued(taxonomy=library.taxonomy.pk, node=leaf))
    assert library.documents[0].pk in under_leaf
    assert under_leaf == {c.document_id for c in Classification.objects.filter(node__code=leaf)} & {
        d.pk for d in library.documents
    }


def test_accept_confirms_the_subject_and_the_broader_ones_it_implies(library, committed):
    tree = Tree.from_taxonomy(library.taxonomy)
    document = library.documents[0]
    first, *others = leaves(document)
    assert others, "zero-shot stores several leaves"
    before = Document.objects.get(pk=document.pk).updated

    committed(review.accept, first)

    accepted = {code for (code, _), c in rows(document).items() if c.status == "accepted"}
    assert accepted == {first.node.code} | tree.ancestors(first.node.code)
    assert all(c.status == "review" for c in Classification.objects.filter(pk__in=[o.pk for o in others]))
    assert document.pk in queued(), "its other subjects still wait"
    assert document.pk not in queued(node=first.node.code)
    assert Document.objects.get(pk=document.pk).updated > before, "the index version grows"

    assert committed(review.accept_all, document) == len(others) + len(
        {a for o in others for a in tree.ancestors(o.node.code)} - accepted
    )
    assert document.pk not in queued()
    assert queued(corpus=library.corpus.name) == [d.pk for d in library.documents[1:]]


def test_reject_removes_the_subject_and_what_no_other_subject_implies_and_search_follows(library, committed):
    tree = Tree.from_taxonomy(library.taxonomy)
    document = library.documents[1]
    rejected, *kept = leaves(document)
    code = rejected.node.code
    counts = node_document_counts(library.taxonomy, suggested=True)
    assert document.pk in found(library, code)

    committed(review.reject, rejected)

    assert (code, "model") not in rows(document)
    assert_ancestors_stored(tree, document)
    assert node_document_counts(library.taxonomy, suggested=True).get(code, 0) == counts[code] - 1
    assert document.pk not in found(library, code)
    for other in kept:
        assert document.pk in found(library, other.node.code)
    facets = get_backend().search(SearchQuery(taxonomy_id=library.taxonomy.pk, suggested=True)).facets
    assert facets == node_document_counts(library.taxonomy, suggested=True)


def test_a_document_whose_every_subject_is_rejected_needs_one(library, committed):
    document = library.documents[2]
    assert document not in documents_without_subject()
    for leaf in leaves(document):
        committed(review.reject, leaf)

    assert not rows(document)
    assert list(documents_without_subject(corpus=library.corpus.name)) == [document]
    assert DocumentAssessment.objects.get(document=document).classifiable, "the model's verdict stays"
    assert document.pk not in queued()
    assert not any(
        document.pk in found(library, code) for code in node_document_counts(library.taxonomy, suggested=True)
    )


def test_a_branch_rejected_takes_the_subjects_below_it(library, committed):
    tree = Tree.from_taxonomy(library.taxonomy)
    document = library.documents[3]
    leaf = leaves(document)[0].node.code
    root = tree.first_path(leaf)[0]
    branch = Classification.objects.get(document=document, node__code=root)

    committed(review.reject, branch)

    assert not {code for code, _ in rows(document)} & (
        {root} | {c for c in tree.parents if root in tree.ancestors(c)}
    )
    assert_ancestors_stored(tree, document)


def test_correct_adds_a_librarian_subject_with_its_ancestors_and_search_follows(library, committed):
    tree = Tree.from_taxonomy(library.taxonomy)
    document = library.documents[4]
    own = {code for code, _ in rows(document)}
    new = next(leaf for leaf in sorted(tree.leaves) if not tree.closure([leaf]) & own)
    root = tree.first_path(new)[0]
    counts = node_document_counts(library.taxonomy, suggested=True)

    added = committed(review.correct, document, new)

    assert (added.node.code, added.source, added.status) == (new, "librarian", "accepted")
    assert (added.score, added.rank, added.is_leaf_prediction) == (1.0, 1, True)
    librarian = {code: c for (code, source), c in rows(document).items() if source == "librarian"}
    assert set(librarian) == tree.closure([new])
    assert not any(c.is_leaf_prediction for code, c in librarian.items() if code != new)
    assert_ancestors_stored(tree, document)
    assert node_document_counts(library.taxonomy, suggested=True)[root] == counts.get(root, 0) + 1
    assert document.pk in found(library, new) and document.pk in found(library, root)
    facets = get_backend().search(SearchQuery(taxonomy_id=library.taxonomy.pk, suggested=True)).facets
    assert facets[new] == counts.get(new, 0) + 1
    assert document.pk in queued(), "the model's own subjects still wait"

    committed(review.correct, document, new)  # twice: the same rows
    assert {code for (code, source) in rows(document) if source == "librarian"} == tree.closure([new])


def test_correcting_to_the_models_subject_replaces_its_rows(library, committed):
    tree = Tree.from_taxonomy(library.taxonomy)
    document = library.documents[5]
    predicted = leaves(document)[0].node.code

    committed(review.correct, document, predicted)

    stored = rows(document)
    assert all((code, "model") not in stored for code in tree.closure([predicted]))
    assert all(stored[code, "librarian"].status == "accepted" for code in tree.closure([predicted]))
    codes = [code for code, _ in stored]
    assert len(codes) == len(set(codes)), "one row per node: counts and facets stay right"
    assert_ancestors_stored(tree, document)


def test_correct_refuses_a_code_the_taxonomy_lacks(library):
    document = library.documents[6]
    before = rows(document)
    with pytest.raises(review.UnknownSubject):
        review.correct(document, "no.such.subject")
    assert rows(document).keys() == before.keys()


def test_accepting_a_filters_suggestions_takes_exactly_them_with_their_ancestors(
    library, committed, librarian
):
    tree = Tree.from_taxonomy(library.taxonomy)
    root = tree.first_path(leaves(library.documents[0])[0].node.code)[0]
    filters = QueueFilter(corpus=library.corpus.name, node=root)
    picked = list(waiting_suggestions(filters).select_related("node"))
    assert picked and all(root in tree.closure([c.node.code]) for c in picked)
    others = set(
        Classification.objects.filter(status="review", is_leaf_prediction=True)
        .exclude(pk__in=[c.pk for c in picked])
        .values_list("pk", flat=True)
    )

    with pytest.raises(review.CountChanged) as refused:
        review.accept_suggestions(waiting_suggestions(filters), len(picked) + 1, by=librarian)
    assert (refused.value.expected, refused.value.found) == (len(picked) + 1, len(picked))
    assert waiting_suggestions(filters).count() == len(picked), "nothing accepted"

    note = f"bulk accept: {filters.describe()}"
    accepted = committed(
        review.accept_suggestions, waiting_suggestions(filters), len(picked), librarian, note
    )

    assert accepted == len(picked) and not waiting_suggestions(filters).exists()
    for document_id in {c.document_id for c in picked}:
        document = Document.objects.get(pk=document_id)
        chosen = {c.node.code for c in picked if c.document_id == document_id}
        status = {code: c.status for (code, _), c in rows(document).items()}
        assert all(status[code] == "accepted" for code in tree.closure(chosen))
    assert (
        set(
            Classification.objects.filter(status="review", is_leaf_prediction=True).values_list(
                "pk", flat=True
            )
        )
        == others
    ), "the other suggestions still wait"
    trail = Decision.objects.filter(action="accept", detail=note)
    assert sorted(trail.values_list("document_id", flat=True)) == sorted({c.document_id for c in picked})
    assert {(d.username, d.corpus) for d in trail} == {(librarian.get_username(), library.corpus.name)}
