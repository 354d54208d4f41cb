"""Accepting a filter's suggestions together, over real arXiv records classified by the real
(zero-shot) model: only within a filter with a subject, only the count the librarian confirmed,
refused when it changed meanwhile, each document's decision in the audit trail; what it costs."""

import re

import pytest
from django.db.models import Count

from accounts.roles import Role
from library.models import Classification, Decision
from tests.web.conftest import Library
from tests.web.test_query_counts import SMALL, queries
from web import views

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def suggestions(library: Library, code: str):
    return Classification.objects.filter(
        document__corpus=library.corpus, node__code=code, status="review", is_leaf_prediction=True
    )


def commonest(library: Library) -> str:
    """The subject most suggestions of the library wait on."""
    rows = Classification.objects.filter(
        document__corpus=library.corpus, status="review", is_leaf_prediction=True
    )
    return rows.values("node__code").annotate(n=Count("id")).order_by("-n", "node__code")[0]["node__code"]


def test_the_queue_offers_to_accept_a_subjects_suggestions_and_a_page_confirms_them(client, library):
    code = commonest(library)
    count = suggestions(library, code).count()
    filtered = {"corpus": library.corpus.name, "node": code}
    label = f"{count} suggestions of {code} in {library.corpus.name}"

    page = client.get("/review/", filtered).content.decode()
    assert f"Accept {label}…</button>" in page
    assert f'<input type="hidden" name="count" value="{count}">' in page
    assert (
        "Accept"
        not in client.get("/review/", {"corpus": library.corpus.name})
        .content.decode()
        .split("awaiting review</h2>")[1]
        .split("<ol")[0]
    ), "no bulk accept without a subject"

    confirm = client.get("/review/accept/", {**filtered, "count": count}).content.decode()
    documents = suggestions(library, code).values("document_id").distinct().count()
    assert f"on {documents} document{'s' if documents != 1 else ''}" in confirm
    assert f"Accept {label}</button>" in confirm and "changed" not in confirm
    assert re.search(rf'<input type="hidden" name="count" value="{count}">', confirm)
    assert suggestions(library, code).count() == count, "a GET accepts nothing"

    changed = client.get("/review/accept/", {**filtered, "count": count + 2}).content.decode()
    assert f"The queue changed since you looked: {count} suggestions wait now, not {count + 2}" in changed


def test_confirming_accepts_exactly_the_count_and_records_each_document(client, library, librarian):
    code = commonest(library)
    picked = list(suggestions(library, code).select_related("document"))
    others = Classification.objects.filter(document__corpus=library.corpus, status="review").exclude(
        node__code=code
    )
    waiting_elsewhere = others.filter(is_leaf_prediction=True).count()
    filtered = {"corpus": library.corpus.name, "node": code}

    response = client.post("/review/accept/", {**filtered, "count": len(picked)})

    assert response.status_code == 302
    assert response["Location"] == f"/review/?corpus={library.corpus.name}&node={code}"
    assert not suggestions(library, code).exists()
    accepted = Classification.objects.filter(pk__in=[c.pk for c in picked])
    assert set(accepted.values_list("status", "decided_by")) == {("accepted", librarian.pk)}
    assert others.filter(is_leaf_prediction=True).count() == waiting_elsewhere, "other subjects still wait"
    trail = Decision.objects.filter(action="accept")
    assert sorted(trail.values_list("document_id", flat=True)) == sorted(c.document_id for c in picked)
    assert {(d.username, d.corpus, d.subject, d.detail) for d in trail} == {
        (librarian.get_username(), library.corpus.name, code, f"bulk accept: {code} in {library.corpus.name}")
    }
    queue = client.get(response["Location"]).content.decode()
    assert f"Accepted {len(picked)} suggestions of {code} in {library.corpus.name}." in queue
    assert "0 documents awaiting review" in queue
    page = client.get(f"/documents/{picked[0].document_id}/").content.decode()
    assert f"{librarian.get_username()} · Accept <code>{code}</code>" in page


def test_a_count_that_changed_meanwhile_is_refused_and_nothing_is_accepted(client, library, user_with):
    code = commonest(library)
    seen = suggestions(library, code).count()
    assert seen > 1
    filtered = {"corpus": library.corpus.name, "node": code}
    colleague = user_with(Role.LIBRARIAN, "colleague")
    other = client.__class__()
    other.force_login(colleague)
    other.post(f"/review/subjects/{suggestions(library, code).first().pk}/accept/")

    refused = client.post("/review/accept/", {**filtered, "count": seen})

    assert refused.status_code == 409
    page = refused.content.decode()
    now = seen - 1
    assert f"Nothing was accepted: the queue changed, and {now} suggestion" in page and f"not {seen}" in page
    assert f'<input type="hidden" name="count" value="{now}">' in page
    assert suggestions(library, code).count() == now
    assert not Decision.objects.filter(username="librarian").exists()

    assert client.post("/review/accept/", {**filtered, "count": now}).status_code == 302
    assert not suggestions(library, code).exists()
    assert Decision.objects.filter(username="librarian", action="accept").count() == len(
        {c for c in Decision.objects.filter(username="librarian").values_list("document_id", flat=True)}
    )


def test_only_within_a_filter_with_a_subject_and_a_count(client, library):
    before = Classification.objects.filter(status="review").count()
    for params in ({"corpus": library.corpus.name, "count": before}, {"node": commonest(library)}):
        assert client.post("/review/accept/", params).status_code == 400
    assert client.get("/review/accept/", {"corpus": library.corpus.name}).status_code == 400
    assert Classification.objects.filter(status="review").count() == before


def test_the_api_counts_accepts_and_refuses_a_changed_count(api, library):
    code = commonest(library)
    filtered = {"corpus": library.corpus.name, "node": code}
    low = sorted(suggestions(library, code).values_list("score", flat=True))[1]
    scored = suggestions(library, code).filter(score__gte=low)
    counted = api.get("/api/review/accept/", {**filtered, "min_score": low}).json()
    assert counted == {
        "filter": f"{code} in {library.corpus.name}, scored {low:g} or more",
        "count": scored.count(),
        "documents": scored.count(),
    }

    stale = api.post(
        "/api/review/accept/", {**filtered, "min_score": low, "count": counted["count"] + 1}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["count"] == counted["count"]
    assert (
        api.post(
            "/api/review/accept/", {"corpus": library.corpus.name, "count": 1}, format="json"
        ).status_code
        == 400
    )

    done = api.post(
        "/api/review/accept/", {**filtered, "min_score": low, "count": counted["count"]}, format="json"
    )
    assert done.status_code == 200 and done.json()["count"] == counted["count"]
    assert suggestions(library, code).count() == 1, "the one scored below the range still waits"
    assert Decision.objects.filter(action="accept").count() == counted["count"]


def test_the_queue_and_its_bulk_accept_cost_the_same_whatever_the_page_size(
    searchable, client, api, monkeypatch
):
    code = commonest(searchable)
    for params in ({"node": "cs", "min_score": 0.2}, {"order": "oldest"}, {"node": code}):
        assert queries(api, "/api/review/", size=SMALL, **params) == queries(
            api, "/api/review/", size=16, **params
        )
        counts = []
        for size in (SMALL, 16):
            monkeypatch.setattr(views, "REVIEW_PAGE_SIZE", size)
            counts.append(queries(client, "/review/", **params))
        assert counts[0] == counts[1], (params, counts)
    assert queries(client, "/review/accept/", node=code) == queries(client, "/review/accept/", node="cs")
