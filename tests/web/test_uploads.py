"""Uploading a file through the API runs the whole pipeline (in-process) and reports broken lines."""

import csv
import io
import json

import pytest

from jobs.models import IngestJob
from library.models import Document
from search.backends import get_backend
from search.types import SearchQuery
from tests.web.conftest import read_lines

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

BROKEN_LINE = '{"id": "broken", "title": \n'


@pytest.fixture
def upload_file(tmp_path):
    """Five real records (not in the library) with a broken third line."""
    lines = read_lines(5, skip=100)
    lines = lines[:2] + [BROKEN_LINE] + lines[2:]
    path = tmp_path / "five records.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return path, [json.loads(line)["id"] for line in lines if line != BROKEN_LINE]


def test_upload_runs_the_pipeline_and_reports_the_broken_line(
    library, api, eager_pipeline, upload_file, settings, django_capture_on_commit_callbacks
):
    path, ids = upload_file

    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as handle:
        response = api.post("/api/jobs/", {"file": handle, "corpus": "uploads", "taxonomy": "arxiv"})

    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    assert response["Location"] == f"/api/jobs/{job_id}/"
    job = api.get(f"/api/jobs/{job_id}/").json()
    assert job["state"] == IngestJob.State.DONE, job["message"]
    assert (job["read"], job["stored"], job["failed"]) == (6, len(ids), 1)
    assert (job["classified"], job["indexed"], job["progress"]) == (len(ids), len(ids), 1.0)
    assert [(f["line"], f["field"]) for f in job["failures"]] == [(3, "")]
    assert "invalid JSON" in job["failures"][0]["reason"]

    stored = IngestJob.objects.get(pk=job_id)
    assert (stored.source_name, stored.source_path) == ("five_records.jsonl", "")
    assert list((settings.MEDIA_ROOT / "uploads").iterdir()) == []  # the file went with its job
    assert sorted(
        Document.objects.filter(corpus__name="uploads").values_list("external_id", flat=True)
    ) == sorted(ids)
    assert get_backend().search(SearchQuery(corpus="uploads")).total == len(ids)

    failures = api.get(f"/api/jobs/{job_id}/failures/").json()
    assert [f["line"] for f in failures["results"]] == [3]
    download = api.get(f"/api/jobs/{job_id}/failures.csv", HTTP_ACCEPT="text/csv")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert rows[0] == ["file", "line", "field", "reason"] and rows[1][:2] == ["five_records.jsonl", "3"]


def test_a_resumable_upload_in_two_chunks_runs_the_same_pipeline(
    api, library, eager_pipeline, upload_file, django_capture_on_commit_callbacks
):
    path, ids = upload_file
    data = path.read_bytes()
    opened = api.post(
        "/api/uploads/",
        {"filename": path.name, "size": len(data), "corpus": "chunked", "taxonomy": library.taxonomy.pk},
        format="json",
    )
    url, half = opened.json()["url"], len(data) // 2

    first = api.patch(
        url, data[:half], content_type="application/offset+octet-stream", HTTP_UPLOAD_OFFSET="0"
    )
    assert first.json()["job"] is None and not IngestJob.objects.filter(corpus__name="chunked").exists()
    with django_capture_on_commit_callbacks(execute=True):
        last = api.patch(
            url, data[half:], content_type="application/offset+octet-stream", HTTP_UPLOAD_OFFSET=str(half)
        )

    assert last.status_code == 200, last.content
    job = api.get(last.json()["job_url"]).json()
    assert job["state"] == IngestJob.State.DONE, job["message"]
    assert (job["source_name"], job["read"], job["stored"], job["failed"]) == (
        "five_records.jsonl", 6, len(ids), 1
    )  # fmt: skip
    assert (job["classified"], job["indexed"]) == (len(ids), len(ids))
    assert sorted(
        Document.objects.filter(corpus__name="chunked").values_list("external_id", flat=True)
    ) == sorted(ids)
    assert get_backend().search(SearchQuery(corpus="chunked")).total == len(ids)
