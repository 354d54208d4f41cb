"""Accepted subjects apart from suggested ones, on real arXiv records: tree counts, node pages, document
filters, search facets, filters and chips count accepted subjects unless asked for suggestions
(``suggested=1``), in pages and API alike, on both search engines."""

import json
import re
from collections import defaultdict

import pytest

from classifier import review
from library.models import Classification
from search.actions import index_documents
from tests.web.conftest import Library, read_lines
from tests.web.test_api import flatten

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

ACCEPTED_TOP = 6  # placed documents whose model subject a librarian accepts
CORRECTED = 3  # the next ones, given their arXiv primary category by a librarian


@pytest.fixture
def reviewed(library: Library) -> Library:
    """The library after a librarian's first pass: the model's top subject accepted on six documents,
    the arXiv primary category given to three more; everything else the model suggested still waits."""
    primary = {
        record["id"]: record["categories"][0]
        for record in map(json.loads, read_lines(len(library.documents)))
    }
    placed = library.placed
    for document in placed[:ACCEPTED_TOP]:
        top = (
            Classification.objects.filter(document=document, is_leaf_prediction=True).order_by("rank").first()
        )
        review.accept(top)
    for document in placed[ACCEPTED_TOP : ACCEPTED_TOP + CORRECTED]:
        review.correct(document, primary[document.external_id])
    return library


@pytest.fixture
def indexed(reviewed: Library, search_backend) -> Library:
    """The reviewed library in this test's own index, on the engine under test."""
    assert index_documents([d.pk for d in reviewed.documents]) == len(reviewed.documents)
    return reviewed


def documents_by_node(library: Library, suggested: bool) -> dict[str, set[int]]:
    """Node code → ids of documents with an accepted subject there (any subject with ``suggested``)."""
    rows = Classification.objects.filter(document__corpus=library.corpus)
    if not suggested:
        rows = rows.filter(status=Classification.Status.ACCEPTED)
    under: dict[str, set[int]] = defaultdict(set)
    for code, document_id in rows.values_list("node__code", "document_id"):
        under[code].add(document_id)
    return under


def a_branch_with_suggestions(library: Library) -> str:
    """A node with accepted documents and more documents suggested there."""
    accepted, everything = (documents_by_node(library, s) for s in (False, True))
    return max(
        accepted, key=lambda code: (len(everything[code]) > len(accepted[code]), len(accepted[code]), code)
    )


def test_the_first_pass_leaves_accepted_and_suggested_subjects(reviewed):
    accepted, everything = (documents_by_node(reviewed, s) for s in (False, True))
    assert len(set().union(*accepted.values())) == ACCEPTED_TOP + CORRECTED
    assert any(accepted[code] < everything[code] for code in accepted), "some accepted branch has suggestions"
    assert set(everything) - set(accepted), "some subjects are only suggested"


@pytest.mark.parametrize("suggested", [False, True])
def test_tree_counts_accepted_subjects_unless_asked_for_suggestions(api, client, reviewed, suggested):
    under = documents_by_node(reviewed, suggested)
    params = {"suggested": "true"} if suggested else {}

    roots = api.get(f"/api/taxonomies/{reviewed.taxonomy.pk}/tree/", params).json()["roots"]

    counts = flatten(roots)
    assert counts == {code: len(under.get(code, ())) for code in counts}
    page = client.get(f"/taxonomies/{reviewed.taxonomy.pk}/", {"suggested": "1"} if suggested else {})
    cs = re.search(
        r'/nodes/cs/(?:\?suggested=1)?">Computer Science</a> <code class="code">cs</code> <span class="count[^"]*"[^>]*>(\d+)<',
        page.content.decode(),
    )
    assert cs and int(cs.group(1)) == counts["cs"]
    assert f'role="switch" aria-checked="{str(suggested).lower()}"' in page.content.decode()


def test_the_switch_is_one_link_that_keeps_to_its_side(client, reviewed):
    url = f"/taxonomies/{reviewed.taxonomy.pk}/"
    off = client.get(url).content.decode()
    assert re.search(r'class="switch" role="switch" aria-checked="false" href="\?suggested=1"', off)
    assert "/nodes/cs/?suggested=1" not in off
    on = client.get(url, {"suggested": "1"}).content.decode()
    assert re.search(r'class="switch" role="switch" aria-checked="true" href="\?"', on)
    assert "/nodes/cs/?suggested=1" in on, "links from the tree keep suggestions in"
    for off_again in ("0", "false", ""):
        assert 'aria-checked="false"' in client.get(url, {"suggested": off_again}).content.decode()


@pytest.mark.parametrize("suggested", [False, True])
def test_node_pages_and_lists_take_the_same_switch(api, client, reviewed, suggested):
    code = a_branch_with_suggestions(reviewed)
    expected = documents_by_node(reviewed, suggested)[code]
    params = {"suggested": "true"} if suggested else {}
    taxonomy = reviewed.taxonomy.pk

    listed = api.get(f"/api/taxonomies/{taxonomy}/nodes/{code}/documents/", {**params, "size": 100}).json()
    filtered = api.get("/api/documents/", {**params, "node": code, "taxonomy": taxonomy, "size": 100}).json()
    page = client.get(f"/taxonomies/{taxonomy}/nodes/{code}/", {"suggested": "1"} if suggested else {})

    assert {d["id"] for d in listed["results"]} == expected
    assert {d["id"] for d in filtered["results"]} == expected
    assert f'<h2 id="documents-title">{len(expected)} document' in page.content.decode()
    assert page.content.decode().count('<a href="/documents/') == len(expected)


def test_api_refuses_a_switch_that_is_no_boolean(api, reviewed):
    response = api.get(f"/api/taxonomies/{reviewed.taxonomy.pk}/tree/", {"suggested": "maybe"})
    assert response.status_code == 400 and "suggested" in response.json()


@pytest.mark.parametrize("suggested", [False, True])
def test_search_facets_and_node_filters_take_the_switch(api, indexed, suggested):
    under = documents_by_node(indexed, suggested)
    params = {"suggested": "true"} if suggested else {}

    body = api.get("/api/search/", {**params, "size": 100}).json()

    assert body["total"] == len(indexed.documents), "suggestions or not, search finds every document"
    assert {f["code"]: f["count"] for f in body["facets"]} == {code: len(ids) for code, ids in under.items()}
    code = a_branch_with_suggestions(indexed)
    filtered = api.get("/api/search/", {**params, "node": code, "size": 100}).json()
    assert {h["id"] for h in filtered["hits"]} == under[code]


def test_search_hits_say_which_subjects_are_accepted(api, client, indexed):
    accepted = set(
        Classification.objects.filter(
            document__corpus=indexed.corpus, status=Classification.Status.ACCEPTED
        ).values_list("document_id", "node__code")
    )

    hits = api.get("/api/search/", {"size": 100}).json()["hits"]

    chips = [(hit["id"], subject["code"], subject["accepted"]) for hit in hits for subject in hit["subjects"]]
    assert all(flag == ((document, code) in accepted) for document, code, flag in chips)
    assert {flag for _, _, flag in chips} == {True, False}
    page = client.get("/search/", {"size": 100}).content.decode()
    assert page.count('<span class="chip subtle" title="Accepted subject">') == sum(f for _, _, f in chips)
    assert page.count('<span class="chip suggested"') == sum(not f for _, _, f in chips)


def test_search_page_switch_keeps_the_query_and_filters(client, indexed):
    code = a_branch_with_suggestions(indexed)
    off = client.get("/search/", {"q": "models", "node": code}).content.decode()
    switch = re.search(r'class="switch" role="switch" aria-checked="false" href="([^"]+)"', off)
    assert switch
    on = client.get("/search/" + switch.group(1).replace("&amp;", "&")).content.decode()
    assert 'aria-checked="true"' in on and '<input type="hidden" name="suggested" value="1">' in on
    assert f'<input type="hidden" name="node" value="{code}">' in on and 'value="models"' in on
