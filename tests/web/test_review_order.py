"""The review queue's order and filters over real arXiv records classified by the real (zero-shot)
model: the most useful decision first, and why; constructed cases where the first documents are
known; filters by corpus, subject (with the subjects below it) and score."""

import math
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from library.models import Classification, Document
from taxonomy.tree import Tree
from tests.web.conftest import Library

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
SURE = 0.99  # a trained model's probability that is far from even odds


def waiting(library: Library):
    return Classification.objects.filter(
        document__corpus=library.corpus, status="review", is_leaf_prediction=True
    ).select_related("node")


def listed(api, library: Library, **params) -> list[dict]:
    response = api.get("/api/review/", {"corpus": library.corpus.name, "size": 100, **params})
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


def waiting_counts(library: Library) -> dict[str, int]:
    rows = waiting(library).values("node__code").annotate(n=Count("document", distinct=True))
    return {row["node__code"]: row["n"] for row in rows}


def as_sure_probabilities(library: Library) -> None:
    """Every suggestion a trained model's, all equally far from even odds: uncertainty ties."""
    waiting(library).update(score_kind="probability", score=SURE)


def test_zero_shot_queue_is_most_useful_first_stable_and_says_why(api, library):
    results = listed(api, library)
    assert len(results) == len(library.placed)

    keys = [(-d["why"]["usefulness"], d["waiting_since"], d["id"]) for d in results]
    assert keys == sorted(keys), "most useful first; ties: the longest waiting, then the oldest"
    first = results[0]["why"]
    counts, even = waiting_counts(library), settings.REVIEW_EVEN_SIMILARITY
    assert first["score_kind"] == "similarity"
    assert first["uncertain"] == pytest.approx(max(0, 1 - abs(first["score"] - even) / even), abs=1e-3)
    assert first["figures"]["waiting"] == counts[first["code"]]
    common = math.log(counts[first["code"]]) / math.log(max(counts.values()))
    assert first["figures"]["common"] == pytest.approx(common, abs=1e-3)
    assert first["figures"]["new_here"] == 0, "all arrived together: nothing is new"
    assert first["usefulness"] == pytest.approx(first["uncertain"] + first["figures"]["common"], abs=2e-3)
    assert first["code"] in {s["code"] for s in results[0]["subjects"] if s["status"] == "review"}

    pages = [listed(api, library, size=5, page=n) for n in (1, 2)]
    assert [d["id"] for page in pages for d in page] == [d["id"] for d in results[:10]], "pages agree"
    assert all(d["why"] is None for d in listed(api, library, order="oldest"))


def test_an_uncertain_suggestion_comes_first(api, library, client):
    as_sure_probabilities(library)
    counts = waiting_counts(library)
    commonest = max(counts, key=counts.get)
    last = waiting(library).filter(node__code=commonest).order_by("-document_id").first()
    Classification.objects.filter(pk=last.pk).update(score=0.5)

    first = listed(api, library)[0]
    assert (first["id"], first["why"]["code"], first["why"]["score"]) == (last.document_id, commonest, 0.5)
    assert first["why"]["uncertain"] == 1 and first["why"]["reasons"][:1] in (["uncertain"], ["common"])
    assert set(first["why"]["reasons"]) == {"uncertain", "common"}
    page = client.get(f"/review/?corpus={library.corpus.name}").content.decode()
    assert re.search(r'data-document="(\d+)"', page).group(1) == str(last.document_id)
    assert '<span data-reason="uncertain">uncertain: 50%</span>' in page
    assert f'<span data-reason="common">common subject: {counts[commonest]} waiting</span>' in page


def test_subjects_many_documents_wait_on_come_first(api, library):
    as_sure_probabilities(library)
    counts = waiting_counts(library)
    most = max(counts.values())
    on_commonest = set(
        waiting(library)
        .filter(node__code__in=[c for c, n in counts.items() if n == most])
        .values_list("document_id", flat=True)
    )

    results = listed(api, library)

    assert {d["id"] for d in results[: len(on_commonest)]} == on_commonest
    for document in results[: len(on_commonest)]:
        assert document["why"]["reasons"][0] == "common" and document["why"]["figures"]["waiting"] == most
    assert results[len(on_commonest)]["why"]["figures"]["waiting"] < most


def test_a_recent_document_with_a_rising_subject_comes_first(api, library, client):
    as_sure_probabilities(library)
    counts = waiting_counts(library)
    arrived = next(
        d
        for d in reversed(library.placed)
        if any(counts[c.node.code] > 1 for c in waiting(library).filter(document=d))
    )
    earlier = timezone.now() - timedelta(days=settings.REVIEW_RECENT_DAYS + 30)
    Document.objects.filter(corpus=library.corpus).exclude(pk=arrived.pk).update(created=earlier)

    first = listed(api, library)[0]

    assert first["id"] == arrived.pk and first["why"]["reasons"][0] in ("new", "common")
    assert "new" in first["why"]["reasons"]
    figures = first["why"]["figures"]
    before = (counts[first["why"]["code"]] - 1) / (Document.objects.filter(corpus=library.corpus).count() - 1)
    assert (figures["recent_share"], figures["before_share"]) == (1.0, pytest.approx(before))
    assert figures["new_here"] == pytest.approx(1 - before, abs=1e-3)
    page = client.get(f"/review/?corpus={library.corpus.name}").content.decode()
    assert f"new here: 100% of recent documents, {round(before * 100)}% before" in page


def test_filters_by_subject_with_those_below_it_and_by_score(api, library, client):
    tree = Tree.from_taxonomy(library.taxonomy)
    rows = list(waiting(library))
    branch = tree.first_path(rows[0].node.code)[0]
    under = {r.document_id for r in rows if branch in tree.closure([r.node.code])}
    assert {d["id"] for d in listed(api, library, node=branch)} == under

    scores = sorted(r.score for r in rows)
    low, high = scores[len(scores) // 4], scores[len(scores) // 2]
    within = {r.document_id for r in rows if low <= r.score <= high}
    assert {d["id"] for d in listed(api, library, min_score=low, max_score=high)} == within
    assert {d["id"] for d in listed(api, library, min_score=high)} == {
        r.document_id for r in rows if r.score >= high
    }
    both = {r.document_id for r in rows if branch in tree.closure([r.node.code]) and r.score >= low}
    assert {d["id"] for d in listed(api, library, node=branch, min_score=low)} == both

    page = client.get(
        "/review/", {"corpus": library.corpus.name, "node": branch, "min_score": low}
    ).content.decode()
    assert f"{len(both)} document{'s' if len(both) != 1 else ''} awaiting review" in page
    assert api.get("/api/review/", {"corpus": "no-such-corpus"}).json()["count"] == 0
    for wrong in ({"min_score": 2}, {"max_score": "x"}, {"order": "random"}):
        assert api.get("/api/review/", wrong).status_code == 400
        assert client.get("/review/", wrong).status_code == 400


def test_rank_badges_show_a_place_only_among_several_subjects(client, library):
    document = library.placed[0]
    chosen = list(waiting(library).filter(document=document).order_by("rank"))
    assert len(chosen) > 1
    url = f"/review/?corpus={library.corpus.name}&order=oldest"
    page = client.get(url).content.decode()
    item = page.split(f'data-document="{document.pk}"')[1].split('class="card queue-item"')[0]
    badges = re.findall(r'<span class="rank" title="(\d+) of (\d+) subjects[^"]*">(\d+)</span>', item)
    assert badges == [(str(n), str(len(chosen)), str(n)) for n in range(1, len(chosen) + 1)]

    for extra in chosen[1:]:
        client.post(f"/review/subjects/{extra.pk}/reject/")
    item = (
        client.get(url).content.decode().split(f'data-document="{document.pk}"')[1].split("</li>\n    \n")[0]
    )
    assert 'class="rank"' not in item, "one subject: no place to show"
