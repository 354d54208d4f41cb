"""The review API over the real classified library: the queue, accept, reject, correct, explanations,
and a search index that follows; the schema stays warning-free."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from library.models import Classification
from search.actions import index_documents
from shelfmark.celery import app as celery_app
from taxonomy.tree import Tree
from tests.web.conftest import Library

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture
def reindexed(library: Library, settings, django_capture_on_commit_callbacks):
    """The library in this test's own index, and a context in which the re-index a review change
    queues runs here at commit, as a worker would run it."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    celery_app.loader.import_default_modules()
    index_documents([d.pk for d in library.documents])
    return lambda: django_capture_on_commit_callbacks(execute=True)


def subjects(api: APIClient, document_id: int) -> dict[str, dict]:
    return {s["code"]: s for s in api.get(f"/api/documents/{document_id}/").json()["subjects"]}


def search(api: APIClient, library: Library, code: str) -> dict:
    return api.get(
        "/api/search/", {"taxonomy": library.taxonomy.pk, "node": code, "size": 100, "suggested": True}
    ).json()


def test_queue_is_paginated_oldest_first_with_subjects_to_act_on(api, library):
    listed = api.get("/api/review/", {"corpus": library.corpus.name, "size": 5, "order": "oldest"}).json()

    assert listed["count"] == len(library.placed) and listed["next"]
    assert [d["id"] for d in listed["results"]] == [d.pk for d in library.placed[:5]]
    first = listed["results"][0]
    assert first["taxonomy"] == library.taxonomy.pk and first["waiting_since"]
    assert {(s["source"], s["status"]) for s in first["subjects"]} == {("model", "review")}
    stored = Classification.objects.filter(document_id=first["id"]).values_list("id", "node__code")
    assert {(s["id"], s["code"]) for s in first["subjects"]} == set(stored)
    assert api.get("/api/review/", {"taxonomy": "x"}).status_code == 400


def test_accept_answers_the_classification_and_the_document_shows_it(api, library):
    document = library.documents[0]
    leaf = next(s for s in subjects(api, document.pk).values() if s["is_leaf"])
    tree = Tree.from_taxonomy(library.taxonomy)

    response = api.post(f"/api/classifications/{leaf['id']}/accept/")

    assert response.status_code == 200
    assert {k: response.json()[k] for k in ("id", "code", "status", "document")} == {
        "id": leaf["id"],
        "code": leaf["code"],
        "status": "accepted",
        "document": document.pk,
    }
    shown = subjects(api, document.pk)
    accepted = {code for code, s in shown.items() if s["status"] == "accepted"}
    assert accepted == {leaf["code"]} | tree.ancestors(leaf["code"])
    assert api.post("/api/classifications/999999/accept/").status_code == 404
    assert api.get(f"/api/classifications/{leaf['id']}/accept/").status_code == 405


def test_reject_and_correct_change_what_search_finds(api, library, reindexed):
    document = library.documents[1]
    leaf = next(s for s in subjects(api, document.pk).values() if s["is_leaf"])
    assert document.pk in {h["id"] for h in search(api, library, leaf["code"])["hits"]}

    with reindexed():
        assert api.post(f"/api/classifications/{leaf['id']}/reject/").status_code == 204

    assert leaf["code"] not in subjects(api, document.pk)
    assert document.pk not in {h["id"] for h in search(api, library, leaf["code"])["hits"]}

    before = search(api, library, "q-bio")["total"]
    with reindexed():
        response = api.post(f"/api/documents/{document.pk}/subjects/", {"node": "q-bio.NC"}, format="json")

    assert response.status_code == 201
    assert {k: response.json()[k] for k in ("code", "source", "status", "score", "is_leaf")} == {
        "code": "q-bio.NC",
        "source": "librarian",
        "status": "accepted",
        "score": 1.0,
        "is_leaf": True,
    }
    shown = subjects(api, document.pk)
    assert (shown["q-bio.NC"]["source"], shown["q-bio"]["source"]) == ("librarian", "librarian")
    found = search(api, library, "q-bio")
    assert found["total"] == before + 1 and document.pk in {h["id"] for h in found["hits"]}
    assert {f["code"]: f["count"] for f in found["facets"]}["q-bio.NC"] >= 1


def test_correct_refuses_what_the_taxonomy_lacks(api, library):
    document = library.documents[2]
    url = f"/api/documents/{document.pk}/subjects/"
    refused = api.post(url, {"node": "no.such"}, format="json")
    assert refused.status_code == 400 and "no.such" in refused.json()["node"][0]
    assert api.post(url, {}, format="json").status_code == 400
    assert api.post("/api/documents/999999/subjects/", {"node": "cs.CL"}, format="json").status_code == 404


def test_explanation_quotes_the_document_and_names_accepted_neighbours(api, library):
    document, labelled = library.documents[3], library.documents[4]
    code = next(s["code"] for s in subjects(api, document.pk).values() if s["is_leaf"])
    api.post(f"/api/documents/{labelled.pk}/subjects/", {"node": code}, format="json")

    response = api.get(f"/api/documents/{document.pk}/subjects/{code}/explanation/")

    assert response.status_code == 200
    explanation = response.json()
    assert (explanation["code"], explanation["measure"]) == (code, "cosine")
    assert explanation["sentences"]
    for sentence in explanation["sentences"]:
        assert sentence["text"] in document.title or sentence["text"] in document.abstract
    assert [n["id"] for n in explanation["neighbours"]] == [labelled.pk]
    assert explanation["neighbours"][0]["title"] == labelled.title

    absent = next(c for c in ("q-bio.NC", "astro-ph.GA") if c not in subjects(api, document.pk))
    assert api.get(f"/api/documents/{document.pk}/subjects/{absent}/explanation/").status_code == 404
    assert api.get(f"/api/documents/999999/subjects/{code}/explanation/").status_code == 404


def test_schema_describes_the_review_api_without_warnings(api, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    paths = api.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert {
        "/api/review/",
        "/api/classifications/{id}/accept/",
        "/api/classifications/{id}/reject/",
        "/api/documents/{id}/subjects/",
        "/api/documents/{id}/subjects/{code}/explanation/",
    } <= set(paths)
    subject = api.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]["Subject"]
    assert {"id", "status"} <= set(subject["properties"])
