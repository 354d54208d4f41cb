"""Who did what: every decision names its user in the audit trail and on the document page, a
deletion takes documents out of the database and the index but keeps the decisions, and training
learns only from the decisions of librarians and curators."""

import pytest
from django.urls import reverse

from accounts.roles import Role, grant
from classifier.decisions import confirmed, learnt
from classifier.models import ClassifierModel
from jobs.models import IngestJob
from library.models import Classification, Decision, Document
from search.backends import get_backend
from search.types import SearchQuery

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def waiting(document: Document) -> Classification:
    rows = Classification.objects.filter(document=document, is_leaf_prediction=True).select_related("node")
    return rows.order_by("rank").first()


def test_review_decisions_name_their_librarian_on_the_document_page(searchable, client, librarian):
    document = searchable.documents[0]
    accepted, rejected = Classification.objects.filter(document=document, is_leaf_prediction=True)[:2]
    client.post(reverse("web:accept-subject", args=[accepted.pk]))
    client.post(reverse("web:reject-subject", args=[rejected.pk]))
    client.post(reverse("web:correct-document", args=[document.pk]), {"node": "cs.DL"})

    trail = Decision.objects.filter(document_id=document.pk).order_by("id")
    assert [(d.action, d.username, d.user) for d in trail] == [
        ("accept", "librarian", librarian),
        ("reject", "librarian", librarian),
        ("correct", "librarian", librarian),
    ]
    assert [d.subject for d in trail] == [accepted.node.code, rejected.node.code, "cs.DL"]
    accepted.refresh_from_db()
    assert accepted.decided_by == librarian and accepted.reviewed is not None
    given = Classification.objects.get(document=document, node__code="cs.DL", source="librarian")
    assert given.decided_by == librarian
    page = client.get(reverse("web:document", args=[document.pk])).content.decode()
    assert page.count("librarian · ") == 3 and "by librarian" in page


def test_a_deleted_document_leaves_the_index_and_keeps_its_decisions(
    searchable, client, eager_pipeline, django_capture_on_commit_callbacks
):
    document = searchable.documents[1]
    client.post(reverse("web:accept-subject", args=[waiting(document).pk]))
    assert (
        "This cannot be undone"
        in client.get(reverse("web:delete-document", args=[document.pk])).content.decode()
    )
    title_word = document.title.split()[0]
    assert document.pk in {
        hit.id for hit in get_backend().search(SearchQuery(text=title_word, size=100)).hits
    }

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:delete-document", args=[document.pk]))

    assert not Document.objects.filter(pk=document.pk).exists()
    assert document.pk not in {
        hit.id for hit in get_backend().search(SearchQuery(text=title_word, size=100)).hits
    }
    trail = Decision.objects.filter(document_id=document.pk).order_by("id")
    assert [d.action for d in trail] == ["accept", "delete-document"]
    assert document.external_id in trail.last().detail


def test_a_corpus_deletion_runs_in_chunks_and_empties_the_index(
    searchable, api, eager_pipeline, django_capture_on_commit_callbacks
):
    corpus = searchable.corpus
    ids = [d.pk for d in searchable.documents]
    assert get_backend().search(SearchQuery(size=100)).total > 0

    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(reverse("web:api:corpus-detail", args=[corpus.pk])).status_code == 202

    assert not Document.objects.filter(pk__in=ids).exists()
    assert not type(corpus).objects.filter(pk=corpus.pk).exists()
    assert get_backend().search(SearchQuery(size=100)).total == 0
    decision = Decision.objects.get(action="delete-corpus")
    assert (decision.corpus, decision.username, decision.detail) == (
        corpus.name,
        "librarian",
        f"{len(ids)} documents",
    )


def test_uploads_reclassifications_and_activations_are_recorded(searchable, api, user_with, tmp_path):
    before = Decision.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    path = tmp_path / "one.jsonl"
    path.write_text('{"id": "u1", "title": "Attention for parsing"}\n')
    with open(path, "rb") as handle:
        job = api.post("/api/jobs/", {"file": handle, "corpus": searchable.corpus.name}).json()
    assert IngestJob.objects.get(pk=job["id"]).created_by.get_username() == "librarian"
    api.post(reverse("web:api:corpus-reclassify", args=[searchable.corpus.pk]), {}, format="json")
    curator = user_with(Role.CURATOR)
    api.force_login(curator)
    model = ClassifierModel.objects.create(
        taxonomy=searchable.taxonomy, version="audit-1", kind="h", path="x"
    )
    assert api.post(reverse("web:api:model-activate", args=[model.version])).status_code == 200
    trail = Decision.objects.filter(pk__gt=before).order_by("id").values_list("action", "username", "corpus")
    assert list(trail) == [
        ("upload", "librarian", searchable.corpus.name),
        ("reclassify", "librarian", searchable.corpus.name),
        ("activate-model", "curator", ""),
    ]


def test_training_learns_only_the_decisions_of_librarians_and_curators(
    searchable, client, librarian, user_with
):
    first, second, third = searchable.documents[2:5]
    client.post(reverse("web:accept-subject", args=[waiting(first).pk]))
    curator = user_with(Role.CURATOR)
    client.force_login(curator)
    client.post(reverse("web:correct-document", args=[second.pk]), {"node": "cs.DL"})
    demoted = user_with(Role.LIBRARIAN, name="demoted")
    client.force_login(demoted)
    client.post(reverse("web:correct-document", args=[third.pk]), {"node": "cs.DL"})
    grant(demoted, Role.READER)  # a reader now: what they decided as a librarian no longer teaches

    rows = Classification.objects.filter(document__corpus=searchable.corpus)
    taught = set(confirmed(rows).values_list("document_id", flat=True))
    assert taught == {first.pk, second.pk}
    counts = learnt(rows)
    assert counts.left_out == rows.filter(document=third, decided_by=demoted).count() > 0
    assert counts.by_librarians == confirmed(rows).count() and counts.from_files_and_commands == 0
