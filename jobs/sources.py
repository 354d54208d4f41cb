"""Uploaded files: kept under MEDIA_ROOT/uploads while their job needs them, removed once the job is
over (done or failed), or ``INGEST_KEEP_SOURCES_S`` later by the workers' watchdog.

Only files in that folder are ever removed: a job of ``manage.py ingest FILE`` reads the operator's
own file, which stays. A job whose file was removed keeps its name, and an empty ``source_path``.
"""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from jobs.models import IngestJob

OVER = (IngestJob.State.DONE, IngestJob.State.FAILED)


def uploads_folder() -> Path:
    """Where uploaded files are stored, one for each job."""
    return Path(settings.MEDIA_ROOT) / "uploads"


def is_upload(path: str) -> bool:
    """Whether ``path`` is a file in the uploads folder (not one reached from it through '..')."""
    return bool(path) and Path(path).resolve().is_relative_to(uploads_folder().resolve())


def release_source(job_id: int) -> int:
    """Remove the uploaded file of a job that is over, unless ``INGEST_KEEP_SOURCES_S`` keeps it a
    while; how many files were removed (0 or 1)."""
    if settings.INGEST_KEEP_SOURCES_S > 0:
        return 0
    return _remove_sources(IngestJob.objects.filter(pk=job_id))


def remove_kept_sources() -> int:
    """Remove the uploaded files of jobs over for ``INGEST_KEEP_SOURCES_S`` (and of any whose
    removal was missed when they ended); how many."""
    cutoff = timezone.now() - timedelta(seconds=settings.INGEST_KEEP_SOURCES_S)
    return _remove_sources(IngestJob.objects.filter(finished__lte=cutoff))


def _remove_sources(jobs: QuerySet[IngestJob]) -> int:
    over = jobs.filter(state__in=OVER, source_path__startswith=str(uploads_folder()))
    removed = 0
    for pk, path in over.values_list("pk", "source_path"):
        if is_upload(path):
            Path(path).unlink(missing_ok=True)
            removed += IngestJob.objects.filter(pk=pk, source_path=path).update(source_path="")
    return removed
