"""The API's answers to wrong requests, and its schema: no model needed."""

import pytest
from rest_framework.test import APIClient

from jobs.models import IngestJob
from jobs.uploads import safe_name
from library.actions import get_or_create_corpus

pytestmark = pytest.mark.django_db


def upload(api: APIClient, tmp_path, **fields):
    path = tmp_path / "records.jsonl"
    path.write_text('{"id": "1", "title": "A title"}\n')
    with open(path, "rb") as handle:
        return api.post("/api/jobs/", {"file": handle, **fields})


def test_schema_and_docs_are_served(api):
    schema = api.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/search/" in schema.content
    assert api.get("/api/docs/").status_code == 200


def test_upload_names_the_missing_file(api):
    response = api.post("/api/jobs/", {"corpus": "c", "taxonomy": "arxiv"})
    assert response.status_code == 400
    assert list(response.json()) == ["file"]


def test_upload_names_the_missing_corpus(api, tmp_path, arxiv_taxonomy):
    response = upload(api, tmp_path, taxonomy=arxiv_taxonomy.pk)
    assert response.status_code == 400 and list(response.json()) == ["corpus"]


def test_upload_to_a_new_corpus_needs_a_taxonomy(api, tmp_path, arxiv_taxonomy, settings):
    response = upload(api, tmp_path, corpus="new")
    assert response.status_code == 400
    assert "required to create the new corpus" in response.json()["taxonomy"][0]
    assert not (settings.MEDIA_ROOT / "uploads").exists()  # nothing stored for a refused upload


def test_upload_names_an_unknown_taxonomy(api, tmp_path, arxiv_taxonomy):
    response = upload(api, tmp_path, corpus="new", taxonomy="no-such-taxonomy")
    assert response.status_code == 400 and "no-such-taxonomy" in response.json()["taxonomy"][0]


def test_upload_to_an_existing_corpus_keeps_its_taxonomy(api, tmp_path, arxiv_taxonomy):
    get_or_create_corpus("existing", arxiv_taxonomy)
    response = upload(api, tmp_path, corpus="existing")
    assert response.status_code == 201
    assert response.json()["corpus"] == "existing" and response.json()["state"] == IngestJob.State.QUEUED


def test_missing_things_are_404(api):
    for url in ["/api/jobs/999999/", "/api/jobs/999999/failures/", "/api/jobs/999999/failures.csv"]:
        assert api.get(url).status_code == 404, url


def test_safe_names_drop_directories_and_odd_characters():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("my file (1).jsonl.gz") == "my_file_1.jsonl.gz"
    assert safe_name("..") == "upload"
