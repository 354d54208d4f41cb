"""No integer a request carries crashes a list: every list page and list endpoint answers a wrong or
huge number with 400 (a page may clamp it instead), never with 500."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.mixins import ListModelMixin

from accounts.roles import Role
from jobs.models import IngestJob
from library.actions import get_or_create_corpus
from library.models import Document

pytestmark = pytest.mark.django_db

WRONG_NUMBERS = ["1e19", "99999999999999999999", "-1", "abc"]


def list_endpoints() -> set[str]:
    """The route of every API view that lists with pages."""

    def walk(patterns: list, prefix: str) -> set[str]:
        found = set()
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found |= walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "cls", None)
                if view is not None and issubclass(view, ListModelMixin):
                    found.add(prefix + str(pattern.pattern))
        return found

    return walk(get_resolver().url_patterns, "/")


@pytest.fixture
def curator(user_with) -> Client:
    """A browser signed in as a curator, who may open every list (trained models included)."""
    browser = Client()
    browser.force_login(user_with(Role.CURATOR))
    return browser


@pytest.fixture
def parameters(arxiv_taxonomy) -> dict[str, tuple[str, list[str]]]:
    """Route → (a URL of it, the integer parameters it takes)."""
    corpus = get_or_create_corpus("bounds", arxiv_taxonomy)
    document = Document.objects.create(corpus=corpus, external_id="1", title="A title", content_hash="x")
    job = IngestJob.objects.create(corpus=corpus, source_name="s.jsonl", source_path="/x")
    taxonomy = arxiv_taxonomy.pk
    return {
        "/api/taxonomies/": ("/api/taxonomies/", ["page", "size"]),
        "/api/taxonomies/<int:pk>/nodes/<path:code>/documents/": (
            f"/api/taxonomies/{taxonomy}/nodes/cs/documents/",
            ["page", "size"],
        ),
        "/api/documents/": ("/api/documents/", ["page", "size", "taxonomy"]),
        "/api/review/": ("/api/review/", ["page", "size", "taxonomy"]),
        "/api/corpora/": ("/api/corpora/", ["page", "size"]),
        "/api/jobs/": ("/api/jobs/", ["page", "size"]),
        "/api/models/": ("/api/models/", ["page", "size"]),
        "/api/jobs/<int:pk>/failures/": (f"/api/jobs/{job.pk}/failures/", ["page", "size"]),
        "/api/search/": ("/api/search/", ["page", "size", "taxonomy"]),
        "/api/documents/<int:pk>/similar/": (f"/api/documents/{document.pk}/similar/", ["k"]),
        "/search/": ("/search/", ["page", "size", "taxonomy"]),
        "/taxonomies/<int:pk>/nodes/<path:code>/": (f"/taxonomies/{taxonomy}/nodes/cs/", ["page"]),
        "/review/": ("/review/", ["page", "taxonomy"]),
        "/review/not-classifiable/": ("/review/not-classifiable/", ["page", "taxonomy"]),
    }


def test_every_list_endpoint_is_tried(parameters):
    assert list_endpoints() <= set(parameters)


def test_wrong_numbers_answer_400_or_a_clamped_page(parameters, curator):
    answers = {}
    for url, names in parameters.values():
        for name in names:
            for value in WRONG_NUMBERS:
                response = curator.get(url, {name: value})  # an exception here is the 500
                answers[url, name, value] = response.status_code
                if url.startswith("/api/"):
                    assert response.status_code == 400, (url, name, value)
                    assert name in response.json(), (url, name, value)
    assert set(answers.values()) <= {200, 400}
    clamped = {(url, name) for (url, name, _), code in answers.items() if code == 200}
    paginated_pages = ["/taxonomies/<int:pk>/nodes/<path:code>/", "/review/", "/review/not-classifiable/"]
    assert clamped == {(parameters[route][0], "page") for route in paginated_pages}


def test_the_largest_id_is_taken_and_one_more_refused(parameters, curator):
    client = curator
    largest = str(2**63 - 1)
    assert client.get("/api/documents/", {"taxonomy": largest}).json()["count"] == 0
    assert client.get("/api/search/", {"taxonomy": largest}).json()["total"] == 0
    assert client.get("/api/search/", {"taxonomy": str(2**63)}).status_code == 400


def test_search_names_the_bound_a_query_passes(client, settings):
    too_long = {"q": "m" * (settings.SEARCH_MAX_QUERY_CHARS + 1)}
    too_deep = {"page": settings.SEARCH_MAX_WINDOW // 20 + 1, "size": 20}
    for params, field in [(too_long, "q"), (too_deep, "page"), ({"cursor": "nonsense"}, "cursor")]:
        answer = client.get("/api/search/", params)
        assert answer.status_code == 400 and list(answer.json()) == [field], params
    assert client.get("/api/search/", {"q": "a " * 200}).status_code == 200  # one word, repeated

    page = client.get("/search/", too_long)
    assert (
        page.status_code == 400
        and f"at most {settings.SEARCH_MAX_QUERY_CHARS} characters" in page.content.decode()
    )
    page = client.get("/search/", too_deep)
    assert page.status_code == 400 and "narrow the search" in page.content.decode()
