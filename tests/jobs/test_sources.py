"""Uploaded files go once their job is over, or INGEST_KEEP_SOURCES_S later by the workers' look;
files named to `manage.py ingest`, and any outside the uploads folder, stay."""

import gzip
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from jobs import tasks
from jobs.actions import fail_parse, parse_more
from jobs.models import IngestJob
from jobs.progress import refresh_progress
from jobs.sources import remove_kept_sources, uploads_folder
from jobs.uploads import stored_path
from library.actions import get_or_create_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(arxiv_taxonomy):
    return get_or_create_corpus("sources", arxiv_taxonomy)


RECORD = b'{"id": "1", "title": "A title"}\n'


def uploaded(name: str = "records.jsonl", data: bytes = RECORD) -> Path:
    path = stored_path(name)
    path.write_bytes(data)
    return path


def parsed_job(corpus, path: Path) -> IngestJob:
    """A running job whose file is read to the end, no batch on its way: the next count finishes it."""
    return IngestJob.objects.create(
        corpus=corpus,
        source_name=path.name,
        source_path=str(path),
        state=IngestJob.State.RUNNING,
        spooled=True,
        parsed_all=True,
    )


def test_an_upload_goes_when_its_job_is_done_or_fails(corpus):
    done, failed = uploaded(), uploaded()
    broken = uploaded("cut.jsonl.gz", gzip.compress(RECORD * 50)[:40])
    jobs = [parsed_job(corpus, done), parsed_job(corpus, failed)]
    broken_job = IngestJob.objects.create(corpus=corpus, source_name=broken.name, source_path=str(broken))

    refresh_progress(jobs[0].pk)
    fail_parse(jobs[1], "reading records.jsonl failed: killed 2 worker processes; given up")
    parse_more(broken_job, turn=0)

    for job, path, state in zip((*jobs, broken_job), (done, failed, broken), ("done", "failed", "failed")):
        job.refresh_from_db()
        assert job.state == state and job.finished is not None, job.message
        assert not path.exists() and job.source_path == "" and job.source_name == path.name
    assert list(uploads_folder().iterdir()) == []


def test_an_upload_kept_for_a_while_goes_with_a_later_look(corpus, settings):
    settings.INGEST_KEEP_SOURCES_S = 3600
    path = uploaded()
    job = parsed_job(corpus, path)

    refresh_progress(job.pk)
    assert path.exists() and remove_kept_sources() == 0

    IngestJob.objects.filter(pk=job.pk).update(finished=timezone.now() - timedelta(hours=2))
    tasks.remove_kept_sources.apply(throw=True)  # the workers' look
    assert not path.exists()
    job.refresh_from_db()
    assert job.source_path == ""


def test_files_outside_the_uploads_folder_stay(corpus, tmp_path):
    own = tmp_path / "own.jsonl"  # `manage.py ingest FILE`: the operator's file
    escaping = uploads_folder() / ".." / "elsewhere.jsonl"  # under the folder's name, not in it
    for path in (own, escaping):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}\n")
    jobs = [parsed_job(corpus, own), parsed_job(corpus, escaping)]

    for job in jobs:
        refresh_progress(job.pk)
    assert remove_kept_sources() == 0

    assert own.exists() and escaping.exists()
    assert [IngestJob.objects.get(pk=job.pk).source_path for job in jobs] == [str(own), str(escaping)]
