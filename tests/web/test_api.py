"""The REST API on real arXiv records classified by the real model and indexed by the embedded backend."""

from collections import defaultdict

import pytest

from library.models import Classification, DocumentEmbedding
from taxonomy.models import Node
from taxonomy.tree import Tree
from tests.web.conftest import LIBRARY_SIZE, Library

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

DISTINCTIVE_TITLE_WORD = "olfactory"  # "Benchmark for Assessing Olfactory Perception of ..."


def documents_by_node(library: Library) -> dict[str, set[int]]:
    """Node code → ids of documents with a stored subject there, straight from the rows."""
    under: dict[str, set[int]] = defaultdict(set)
    rows = Classification.objects.filter(document__corpus=library.corpus).values_list(
        "node__code", "document_id"
    )
    for code, document_id in rows:
        under[code].add(document_id)
    return under


def flatten(nodes: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node["code"]] = node["count"]
        counts.update(flatten(node["children"]))
    return counts


def test_taxonomies_list_and_detail(api, library):
    listed = api.get("/api/taxonomies/").json()
    mine = next(t for t in listed["results"] if t["id"] == library.taxonomy.pk)
    assert (mine["name"], mine["node_count"], mine["corpus_count"]) == ("arxiv", 166, 1)
    assert api.get(f"/api/taxonomies/{library.taxonomy.pk}/").json()["version"] == library.taxonomy.version
    assert api.get("/api/taxonomies/999999/").status_code == 404


def test_tree_counts_equal_database_counts(api, library):
    response = api.get(f"/api/taxonomies/{library.taxonomy.pk}/tree/", {"suggested": True})

    assert response.status_code == 200
    roots = response.json()["roots"]
    tree = Tree.from_taxonomy(library.taxonomy)
    assert sorted(r["code"] for r in roots) == sorted(tree.roots)
    counts = flatten(roots)
    assert set(counts) == set(tree.parents)
    under = documents_by_node(library)
    assert counts == {code: len(under.get(code, ())) for code in tree.parents}
    assert sum(counts[r] for r in tree.roots) >= LIBRARY_SIZE  # every document is under some root
    for code, parents in tree.parents.items():
        assert all(counts[parent] >= counts[code] for parent in parents)


def test_node_documents_are_paginated_best_first(api, library):
    under = documents_by_node(library)
    code = max(under, key=lambda c: (len(under[c]), c))
    url = f"/api/taxonomies/{library.taxonomy.pk}/nodes/{code}/documents/"

    first = api.get(url, {"size": 3, "suggested": True}).json()

    assert first["count"] == len(under[code])
    assert len(first["results"]) == min(3, len(under[code]))
    scores = [d["score"] for d in first["results"]]
    assert scores == sorted(scores, reverse=True)
    stored = dict(Classification.objects.filter(node__code=code).values_list("document_id", "score"))
    assert all(d["score"] == pytest.approx(stored[d["id"]]) for d in first["results"])
    everything = api.get(url, {"size": 100, "suggested": True}).json()["results"]
    assert {d["id"] for d in everything} == under[code]
    assert api.get(f"/api/taxonomies/{library.taxonomy.pk}/nodes/no.such.code/documents/").status_code == 404


def test_document_list_filters_by_corpus_and_node(api, library):
    assert api.get("/api/documents/", {"corpus": library.corpus.name}).json()["count"] == LIBRARY_SIZE
    under = documents_by_node(library)
    code = next(c for c in sorted(under) if 1 < len(under[c]) < LIBRARY_SIZE)
    params = {"node": code, "taxonomy": library.taxonomy.pk, "size": 100, "suggested": True}
    filtered = api.get("/api/documents/", params).json()
    assert {d["id"] for d in filtered["results"]} == under[code]
    bad = api.get("/api/documents/", {"taxonomy": "not-a-number"})
    assert bad.status_code == 400 and "taxonomy" in bad.json()


def test_document_detail_lists_hierarchy_consistent_subjects(api, library):
    tree = Tree.from_taxonomy(library.taxonomy)
    for document in library.documents:
        body = api.get(f"/api/documents/{document.pk}/").json()
        assert body["external_id"] == document.external_id
        subjects = body["subjects"]
        if not subjects:  # nothing the model chose reached the suggestion floor
            assert not document.assessment.classifiable
            continue
        codes = {s["code"] for s in subjects}
        assert subjects[0]["is_leaf"] and [s["rank"] for s in subjects] == list(range(1, len(subjects) + 1))
        for place, subject in enumerate(subjects):
            assert tree.ancestors(subject["code"]) <= codes, subject
            assert not tree.ancestors(subject["code"]) & {s["code"] for s in subjects[:place]}, (
                "specific first"
            )
            assert subject["score_kind"] == "similarity"
            path = [step["code"] for step in subject["path"]]
            assert path == tree.first_path(subject["code"])
            assert subject["label"] == tree.labels[subject["code"]]
            assert subject["model_version"].startswith("zeroshot/") and subject["source"] == "model"
    assert api.get("/api/documents/999999/").status_code == 404


def test_search_finds_a_title_word_and_facets_agree_with_the_database(api, searchable):
    target = next(d for d in searchable.documents if DISTINCTIVE_TITLE_WORD in d.title.lower())

    body = api.get("/api/search/", {"q": DISTINCTIVE_TITLE_WORD, "size": 100, "suggested": True}).json()

    matched = {hit["id"] for hit in body["hits"]}
    assert target.pk in matched and body["total"] == len(matched)
    under = documents_by_node(searchable)
    expected = {code: len(ids & matched) for code, ids in under.items() if ids & matched}
    assert {f["code"]: f["count"] for f in body["facets"]} == expected
    labels = dict(Node.objects.filter(taxonomy=searchable.taxonomy).values_list("code", "label"))
    assert all(f["label"] == labels[f["code"]] for f in body["facets"])
    hit = next(h for h in body["hits"] if h["id"] == target.pk)
    assert "<mark>" in hit["snippet"] and hit["external_id"] == target.external_id


def test_search_node_filters_keep_documents_under_every_node(api, searchable):
    under = documents_by_node(searchable)
    everything = api.get("/api/search/", {"size": 100}).json()
    assert everything["total"] == LIBRARY_SIZE
    codes = [c for c in sorted(under) if 1 < len(under[c]) < LIBRARY_SIZE][:2]

    one = api.get("/api/search/", {"node": codes[0], "size": 100, "suggested": True}).json()
    both = api.get("/api/search/", {"node": codes, "size": 100, "suggested": True}).json()

    assert {h["id"] for h in one["hits"]} == under[codes[0]]
    assert {h["id"] for h in both["hits"]} == under[codes[0]] & under[codes[1]]
    assert both["total"] == len(under[codes[0]] & under[codes[1]])


def test_search_pages(api, searchable):
    first = api.get("/api/search/", {"size": 7, "page": 1}).json()
    third = api.get("/api/search/", {"size": 7, "page": 3}).json()
    assert (first["pages"], len(first["hits"]), len(third["hits"])) == (3, 7, LIBRARY_SIZE - 14)
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in third["hits"]}


def test_a_search_cursor_walks_every_hit(api, searchable, settings):
    everything = [h["id"] for h in api.get("/api/search/", {"q": "models", "size": 100}).json()["hits"]]
    assert len(everything) > 6
    settings.SEARCH_MAX_WINDOW = 6
    assert api.get("/api/search/", {"q": "models", "size": 3, "page": 3}).status_code == 400
    walked, params = [], {"q": "models", "size": 3}
    while True:
        body = api.get("/api/search/", params).json()
        walked += [h["id"] for h in body["hits"]]
        if body["next"] is None:
            break
        params["cursor"] = body["next"]
    assert walked == everything
    assert body["total"] == len(everything) and body["pages"] == 2


def test_search_rejects_bad_parameters_by_name(api, searchable):
    response = api.get("/api/search/", {"size": 0, "page": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"size", "page"}


def test_similar_documents(api, searchable):
    document = searchable.documents[0]

    response = api.get(f"/api/documents/{document.pk}/similar/", {"k": 5})

    assert response.status_code == 200
    hits = response.json()
    assert len(hits) == 5 and document.pk not in {h["id"] for h in hits}
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert {h["id"] for h in hits} <= {d.pk for d in searchable.documents}


def test_similar_needs_a_classified_document(api, searchable):
    document = searchable.documents[1]
    DocumentEmbedding.objects.filter(document=document).delete()
    response = api.get(f"/api/documents/{document.pk}/similar/")
    assert response.status_code == 409 and "no vector" in response.json()["detail"]
    assert api.get("/api/documents/999999/similar/").status_code == 404
