"""How far an ingest job has come, and its failures as CSV."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from jobs.models import IngestJob, RecordFailure

RECENT_FAILURES = 50
CSV_COLUMNS = ("file", "line", "field", "reason")


@dataclass(frozen=True)
class JobProgress:
    """Share of the work done (0..1), seconds spent and documents indexed per second."""

    fraction: float
    elapsed_s: float | None
    throughput: float | None
    finished: bool


def job_progress(job: IngestJob) -> JobProgress:
    """Progress of a job: each stored document counts half when classified and half when indexed."""
    finished = job.state in (IngestJob.State.DONE, IngestJob.State.FAILED)
    if job.state == IngestJob.State.DONE:
        fraction = 1.0
    elif job.stored:
        fraction = min(1.0, (job.classified + job.indexed) / (2 * job.stored))
    else:
        fraction = 0.0
    if not job.parsed_all and not finished:
        fraction = min(fraction, 0.99)  # more records may still come
    elapsed = None
    if job.started:
        elapsed = max(((job.finished or timezone.now()) - job.started).total_seconds(), 0.0)
    throughput = job.indexed / elapsed if elapsed else None
    return JobProgress(fraction=fraction, elapsed_s=elapsed, throughput=throughput, finished=finished)


def recent_failures(job: IngestJob, limit: int = RECENT_FAILURES) -> list[RecordFailure]:
    """The job's first failures by line, for a quick look; the CSV has them all."""
    return list(job.failures.order_by("line", "id")[:limit])


def failures_csv(failures: QuerySet[RecordFailure]) -> Iterator[str]:
    """CSV text of failures, a row at a time, so a long list streams."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for failure in failures.order_by("line", "id").iterator():
        writer.writerow([failure.file, failure.line, failure.field, failure.reason])
        yield flush()
