"""Resumable uploads through the API: chunks at offsets, conflicts, limits, discarding, stale
cleanup, and a connection dropped mid-chunk on a real server. No model needed: the job is
created and queued, not run (tests/web/test_uploads.py runs one through the pipeline)."""

import gzip
import http.client
import os
import socket
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens import rotate_token
from jobs.models import IngestJob, Upload
from jobs.resumable import partial_path
from tests.web.conftest import read_lines

CHUNK_TYPE = "application/offset+octet-stream"


@pytest.fixture
def records(tmp_path) -> Path:
    """Thirty real arXiv records, gzipped: a binary file, so a byte out of place shows."""
    path = tmp_path / "arxiv-30.jsonl.gz"
    path.write_bytes(gzip.compress("".join(read_lines(30, skip=200)).encode()))
    return path


def open_upload(api: APIClient, path: Path, taxonomy, **fields):
    body = {
        "filename": path.name,
        "size": path.stat().st_size,
        "corpus": "resumed",
        "taxonomy": taxonomy.name,
    }
    return api.post("/api/uploads/", {**body, **fields}, format="json")


def send(api: APIClient, url: str, data: bytes, offset: int):
    return api.patch(url, data, content_type=CHUNK_TYPE, HTTP_UPLOAD_OFFSET=str(offset))


def stored_file(job: IngestJob) -> bytes:
    return Path(job.source_path).read_bytes()


def test_two_chunks_make_a_job_with_the_file_byte_for_byte(api, records, arxiv_taxonomy, settings):
    data = records.read_bytes()
    opened = open_upload(api, records, arxiv_taxonomy)
    assert opened.status_code == 201, opened.content
    upload = opened.json()
    assert opened["Location"] == upload["url"] == f"/api/uploads/{upload['id']}/"
    assert (upload["offset"], upload["size"], upload["state"], upload["job"]) == (
        0,
        len(data),
        "receiving",
        None,
    )
    assert upload["expires"] is not None and opened["Upload-Offset"] == "0"

    half = len(data) // 2
    first = send(api, upload["url"], data[:half], offset=0)
    assert first.status_code == 200 and first.json()["offset"] == half and first["Upload-Offset"] == str(half)
    assert api.head(upload["url"])["Upload-Offset"] == str(half)
    # The second chunk the other way: PUT with Content-Range.
    last = api.put(
        upload["url"],
        data[half:],
        content_type=CHUNK_TYPE,
        HTTP_CONTENT_RANGE=f"bytes {half}-{len(data) - 1}/{len(data)}",
    )

    assert last.status_code == 200, last.content
    done = last.json()
    assert (done["offset"], done["state"]) == (len(data), "complete")
    job = IngestJob.objects.get(pk=done["job"])
    assert done["job_url"] == f"/api/jobs/{job.pk}/" and done["expires"] is None
    assert (job.corpus.name, job.corpus.taxonomy, job.source_name) == (
        "resumed",
        arxiv_taxonomy,
        records.name,
    )
    assert job.state == IngestJob.State.QUEUED
    assert stored_file(job) == data
    assert Path(job.source_path).parent == settings.MEDIA_ROOT / "uploads"  # where whole uploads go
    assert not partial_path(upload["id"]).exists()
    assert api.get(upload["url"]).json()["job"] == job.pk  # a client whose answer was lost learns the job
    # Sending the last chunk again changes nothing; the upload cannot be discarded any more.
    assert send(api, upload["url"], b"", offset=len(data)).json()["job"] == job.pk
    assert api.delete(upload["url"]).status_code == 409
    assert IngestJob.objects.count() == 1


def test_a_chunk_at_the_wrong_offset_is_refused_with_the_offset_to_resume_at(api, records, arxiv_taxonomy):
    data = records.read_bytes()
    url = open_upload(api, records, arxiv_taxonomy).json()["url"]
    send(api, url, data[:1000], offset=0)

    for wrong in (0, 500, 2000):
        refused = send(api, url, data[wrong : wrong + 100], offset=wrong)
        assert refused.status_code == 409, wrong
        assert refused.json()["offset"] == 1000 and refused["Upload-Offset"] == "1000"
    assert send(api, url, data[1000:1100], offset=1000).json()["offset"] == 1100
    assert partial_path(url.split("/")[-2]).read_bytes() == data[:1100]

    no_offset = api.patch(url, data[1100:1200], content_type=CHUNK_TYPE)
    assert no_offset.status_code == 400 and "Upload-Offset" in no_offset.json()
    bad_range = api.patch(
        url, data[1100:1200], content_type=CHUNK_TYPE, HTTP_CONTENT_RANGE="bytes 1100-1149/*"
    )
    assert bad_range.status_code == 400


def test_sizes_over_the_limit_or_past_the_declared_size_are_refused(api, records, arxiv_taxonomy, settings):
    data = records.read_bytes()
    settings.INGEST_UPLOAD_MAX_BYTES = len(data) - 1
    too_large = open_upload(api, records, arxiv_taxonomy)
    assert too_large.status_code == 413
    assert too_large.json() == {
        "detail": f"size: {len(data):,} bytes is over the upload limit of {len(data) - 1:,} bytes",
        "max_size": len(data) - 1,
    }
    assert not Upload.objects.exists()
    with open(records, "rb") as handle:  # the whole-file upload keeps the same limit
        whole = api.post("/api/jobs/", {"file": handle, "corpus": "resumed", "taxonomy": "arxiv"})
    assert whole.status_code == 413 and whole.json()["max_size"] == len(data) - 1
    assert list((settings.MEDIA_ROOT / "uploads").iterdir()) == []

    settings.INGEST_UPLOAD_MAX_BYTES = len(data)
    url = open_upload(api, records, arxiv_taxonomy).json()["url"]
    past = send(api, url, data + b"\n", offset=0)
    assert past.status_code == 413 and "past the declared size" in past.json()["detail"]
    assert api.get(url).json()["offset"] == 0 and partial_path(url.split("/")[-2]).stat().st_size == 0


def test_a_wrong_target_or_format_is_refused_before_any_byte(api, records, arxiv_taxonomy):
    new_corpus = api.post(
        "/api/uploads/", {"filename": "a.jsonl", "size": 10, "corpus": "new"}, format="json"
    )
    assert new_corpus.status_code == 400 and "taxonomy" in new_corpus.json()
    assert (
        open_upload(api, records, arxiv_taxonomy, format="docx")
        .json()["format"][0]
        .startswith("unknown format")
    )
    assert open_upload(api, records, arxiv_taxonomy, size=0).status_code == 400
    assert open_upload(api, records, arxiv_taxonomy, format="JSONL").json()["format"] == "jsonl"


def test_discarding_removes_the_bytes_and_the_upload(api, records, arxiv_taxonomy):
    data = records.read_bytes()
    upload = open_upload(api, records, arxiv_taxonomy).json()
    send(api, upload["url"], data[:4096], offset=0)
    assert partial_path(upload["id"]).stat().st_size == 4096

    assert api.delete(upload["url"]).status_code == 204

    assert not partial_path(upload["id"]).exists() and not Upload.objects.exists()
    assert api.get(upload["url"]).status_code == 404
    assert send(api, upload["url"], data[4096:5000], offset=4096).status_code == 404
    assert api.delete(upload["url"]).status_code == 404


def test_stale_uploads_are_discarded_fresh_ones_kept(api, records, arxiv_taxonomy, settings):
    data = records.read_bytes()
    stale, fresh = (open_upload(api, records, arxiv_taxonomy).json() for _ in range(2))
    for upload in (stale, fresh):
        send(api, upload["url"], data[:100], offset=0)
    settings.INGEST_UPLOAD_STALE_AFTER_S = 3600
    Upload.objects.filter(pk=stale["id"]).update(updated=timezone.now() - timedelta(hours=2))
    orphan = partial_path("0" * 32)  # bytes whose row is gone (a process died between the two)
    orphan.write_bytes(b"left over")
    os.utime(orphan, (time.time() - 7200,) * 2)

    call_command("discard_stale_uploads")

    assert list(Upload.objects.values_list("pk", flat=True)) == [Upload.objects.get(pk=fresh["id"]).pk]
    assert not partial_path(stale["id"]).exists() and not orphan.exists()
    assert partial_path(fresh["id"]).read_bytes() == data[:100]
    assert send(api, fresh["url"], data[100:], offset=100).json()["state"] == "complete"


@pytest.mark.django_db(transaction=True)
def test_a_chunk_cut_off_mid_way_keeps_what_arrived_and_resumes_byte_for_byte(
    live_server, records, arxiv_taxonomy, api, librarian
):
    data = records.read_bytes()
    host, port = live_server.url.removeprefix("http://").split(":")
    url = open_upload(api, records, arxiv_taxonomy).json()["url"]
    chunk, arrived = 8192, 3000
    token = {"Authorization": f"Token {rotate_token(librarian)}"}  # a script's way in

    # The client promises a chunk of 8192 bytes, sends 3000, and the connection drops.
    with socket.create_connection((host, int(port))) as client:
        head = (
            f"PATCH {url} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {CHUNK_TYPE}\r\n"
            f"Content-Length: {chunk}\r\nUpload-Offset: 0\r\n{token_header(token)}\r\n"
        )
        client.sendall(head.encode() + data[:arrived])
    offset = wait_for_offset(host, int(port), url, arrived, token)

    assert offset == arrived  # what was written durably, no more, no less
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    while offset < len(data):
        piece = data[offset : offset + chunk]
        connection.request(
            "PATCH", url, piece, {"Content-Type": CHUNK_TYPE, "Upload-Offset": str(offset), **token}
        )
        answer = connection.getresponse()
        assert answer.status == 200, answer.read()
        offset = int(answer.headers["Upload-Offset"])
        answer.read()
    job = IngestJob.objects.get(pk=Upload.objects.get().job_id)
    assert stored_file(job) == data


def token_header(headers: dict[str, str]) -> str:
    return "".join(f"{name}: {value}\r\n" for name, value in headers.items())


def wait_for_offset(
    host: str, port: int, url: str, expected: int, headers: dict[str, str], timeout: float = 10
) -> int:
    """The upload's offset once it reaches ``expected`` (the server reads the cut-off body on its own time)."""
    deadline = time.monotonic() + timeout
    while True:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        connection.request("HEAD", url, headers=headers)
        offset = int(connection.getresponse().headers["Upload-Offset"])
        connection.close()
        if offset >= expected or time.monotonic() > deadline:
            return offset
        time.sleep(0.05)


def test_the_schema_describes_the_upload_api_without_warnings(api, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    paths = api.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert {"post"} <= set(paths["/api/uploads/"]) and {"get", "patch", "put", "delete"} <= set(
        paths["/api/uploads/{id}/"]
    )
