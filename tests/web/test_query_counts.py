"""Every list page and list endpoint costs the same number of queries whatever its page size: no
query per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from jobs.models import IngestBatch, IngestJob, RecordFailure
from web import views

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
SMALL, LARGE = 4, 16
MOST = 30  # queries any one list may cost


def queries(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.content[:300])
    return len(captured)


@pytest.fixture
def curator_client(client, user_with):
    client.force_login(user_with(Role.CURATOR))
    return client


@pytest.fixture
def job(searchable) -> IngestJob:
    """A finished job of the library's corpus with LARGE failures."""
    job = IngestJob.objects.create(
        corpus=searchable.corpus, source_name="f.jsonl", source_path="", state="done"
    )
    IngestBatch.objects.create(job=job, seq=0, document_ids=[d.pk for d in searchable.documents], size=20)
    RecordFailure.objects.bulk_create(
        RecordFailure(job=job, file="f.jsonl", line=n, field="title", reason="missing") for n in range(LARGE)
    )
    return job


def test_every_list_endpoint_costs_the_same_whatever_its_page_size(searchable, curator_client, job):
    taxonomy, node = searchable.taxonomy.pk, "cs"
    endpoints = [
        "/api/taxonomies/",
        f"/api/taxonomies/{taxonomy}/nodes/{node}/documents/",
        "/api/documents/",
        "/api/review/",
        "/api/corpora/",
        "/api/jobs/",
        f"/api/jobs/{job.pk}/failures/",
        "/api/models/",
        "/api/search/",
    ]
    for url in endpoints:
        small, large = queries(curator_client, url, size=SMALL), queries(curator_client, url, size=LARGE)
        assert small == large <= MOST, (url, small, large)
    document = searchable.documents[0].pk
    assert queries(curator_client, f"/api/documents/{document}/similar/", k=SMALL) == queries(
        curator_client, f"/api/documents/{document}/similar/", k=LARGE
    )


@pytest.mark.parametrize(
    "url, size_name",
    [
        ("/review/", "REVIEW_PAGE_SIZE"),
        ("/review/not-classifiable/", "REVIEW_PAGE_SIZE"),
        ("/taxonomies/{taxonomy}/nodes/cs/", "NODE_PAGE_SIZE"),
        ("/search/", None),
        ("/", None),
        ("/taxonomies/{taxonomy}/", None),
    ],
)
def test_every_list_page_costs_the_same_whatever_its_page_size(
    searchable, client, monkeypatch, url, size_name
):
    url = url.format(taxonomy=searchable.taxonomy.pk)
    counts = []
    for size in (SMALL, LARGE):
        if size_name:
            monkeypatch.setattr(views, size_name, size)
        counts.append(queries(client, url, **({} if size_name else {"size": size})))
    assert counts[0] == counts[1] <= MOST, counts
