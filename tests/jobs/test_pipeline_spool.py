"""A job's file is parsed once into a spool that storing reads from a byte offset."""

import gzip
from itertools import islice

import pytest

from ingest.errors import RecordError
from ingest.parsers import parse_file
from ingest.spool import read_spool, write_spool
from jobs.actions import parse_more, spool_path
from jobs.models import IngestJob
from library.actions import get_or_create_corpus
from tests.conftest import ARXIV_DEV, SHARED_DATA

FULL_TEXTS = SHARED_DATA / "corpora" / "unarxive-fulltext-sample.jsonl.gz"


def test_records_and_errors_come_back_as_they_went_in_from_any_offset(tmp_path):
    items = list(islice(parse_file(FULL_TEXTS), 5)) + [
        RecordError("a.jsonl", 9, "title", "missing\nor empty")
    ]
    path = tmp_path / "spool.jsonl"

    assert write_spool(items, path, every=2, go_on=lambda: True) == len(items)

    back = list(read_spool(path, 0))
    assert [item for item, _ in back[:5]] == items[:5]  # full texts, metadata and labels included
    error = back[5][0]
    assert (error.file, error.line, error.field, error.reason) == ("a.jsonl", 9, "title", "missing\nor empty")
    rest = [item for item, _ in read_spool(path, offset=back[2][1])]
    assert rest[:2] == items[3:5] and isinstance(rest[2], RecordError) and len(rest) == 3


def test_writing_told_to_stop_leaves_nothing(tmp_path):
    path = tmp_path / "spool.jsonl"
    assert write_spool(parse_file(FULL_TEXTS), path, every=3, go_on=lambda: False) is None
    assert not path.exists()


@pytest.mark.django_db
def test_a_file_that_breaks_midway_fails_the_job_and_leaves_no_spool(arxiv_taxonomy, tmp_path):
    with gzip.open(ARXIV_DEV, "rb") as source:
        data = gzip.compress(b"".join(islice(source, 50)))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    corpus = get_or_create_corpus("cut", arxiv_taxonomy)
    job = IngestJob.objects.create(corpus=corpus, source_path=str(path), source_name=path.name)

    parse_more(job, 0)

    job.refresh_from_db()
    assert job.state == IngestJob.State.FAILED and "cut.jsonl.gz" in job.message
    assert (
        not job.batches.exists()
        and not spool_path(job.pk).parent.exists()
        or not any(spool_path(job.pk).parent.iterdir())
    )
