"""The issue's hostile records, in one archive, through a real worker from upload to index: each
fails alone with a message that names the file, the record and the field; the worker lives on;
every other record is stored, classified and indexed."""

import gzip
import json
import zipfile
from itertools import islice

import pytest

from jobs.models import IngestJob
from library.actions import get_or_create_corpus
from library.models import Document, DocumentAssessment
from search.backends import get_backend
from search.types import SearchQuery
from taxonomy.actions import import_taxonomy
from tests.conftest import ARXIV_DEV, ARXIV_NODES
from tests.faults.checks import finished, start_job, wait_for_job

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def hostile_lines(good: list[dict]) -> list[bytes]:
    """Good records between hostile ones: 100,000-deep nesting in 200 KB, bytes that are not UTF-8,
    a title over the limit, metadata 800 deep."""
    deep = "[" * 100_000 + "]" * 100_000
    lines = [
        json.dumps(good[0]).encode(),
        b'{"id": "deep", "title": "Deep", "metadata": ' + deep.encode() + b"}",
        json.dumps(good[1]).encode(),
        b'{"id": "latin1", "title": "Caf\xe9 society"}',
        json.dumps(good[2]).encode(),
        json.dumps({"id": "long", "title": "t" * 3000}).encode(),
        json.dumps(good[3]).encode(),
        json.dumps({"id": "meta", "title": "Meta", "metadata": json.loads("[" * 800 + "]" * 800)}).encode(),
    ]
    return [line + b"\n" for line in lines]


def test_hostile_records_fail_alone_and_the_worker_goes_on(start_worker, tmp_path):
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as source:
        good = [json.loads(line) for line in islice(source, 5)]
    archive = tmp_path / "hostile.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("records.jsonl", b"".join(hostile_lines(good)))
        zipped.writestr("../outside.jsonl", json.dumps(good[4]) + "\n")
    corpus = get_or_create_corpus("hostile", import_taxonomy(ARXIV_NODES, name="arxiv"))
    worker = start_worker()

    job = wait_for_job(start_job(corpus, archive), finished)

    assert worker.poll() is None, "the worker is alive"
    assert job.state == IngestJob.State.DONE, job.message
    failures = {(f.line, f.field): f.reason for f in job.failures.filter(warning=False)}
    assert set(failures) == {(2, "metadata"), (4, "title"), (6, "title"), (8, "metadata"), (0, "")}, failures
    assert all(f.file.startswith("hostile.zip") for f in job.failures.all())
    member = job.failures.get(line=0)
    assert "outside.jsonl" in member.file and ".." in member.reason
    stored = set(Document.objects.filter(corpus=corpus).values_list("external_id", flat=True))
    assert stored == {record["id"] for record in good[:4]}
    assert (job.read, job.stored, job.failed, job.classified, job.indexed) == (9, 4, 5, 4, 4)
    assert DocumentAssessment.objects.filter(document__corpus=corpus).count() == 4
    hits = get_backend().search(SearchQuery(corpus=corpus.name, size=10)).hits
    assert {hit.id for hit in hits} == set(
        Document.objects.filter(corpus=corpus).values_list("pk", flat=True)
    )
