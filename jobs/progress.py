"""A job's progress, counted from its batches, so a task that runs twice never counts twice."""

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from jobs.models import IngestBatch, IngestJob
from jobs.sources import release_source

FINISHED = (IngestJob.State.DONE, IngestJob.State.FAILED)


def refresh_progress(job_id: int) -> None:
    """Recount the job from its batches; finish it when the file is read and every batch is through
    (its uploaded file goes then, ``jobs.sources``).

    The job's row is locked before the batches are counted, so of two calls at once the later
    counts after the earlier has written: a slower call never writes older totals over newer ones.
    """
    with transaction.atomic():
        if not IngestJob.objects.select_for_update().filter(pk=job_id).exists():
            return
        ended = _recount(job_id)
    if ended:
        release_source(job_id)


def _recount(job_id: int) -> bool:
    """Write the job's totals and finish it if it is through; whether it ended now."""
    # Aggregate names differ from the batch fields they sum (Django refuses a clash).
    totals = IngestBatch.objects.filter(job_id=job_id).aggregate(
        read_total=Coalesce(Sum("read"), 0),
        stored_total=Coalesce(Sum("size"), 0),
        duplicates_total=Coalesce(Sum("duplicates"), 0),
        failed_total=Coalesce(Sum("failed"), 0),
        warnings_total=Coalesce(Sum("warnings"), 0),
        classified_total=Coalesce(Sum("size", filter=Q(classified=True)), 0),
        indexed_total=Coalesce(Sum("size", filter=Q(indexed=True)), 0),
        processed_total=Coalesce(Sum("read", filter=Q(indexed=True) | ~Q(error="")), 0),
        pending=Count("id", filter=Q(indexed=False, error="")),
        broken=Count("id", filter=~Q(error="")),
        lost=Coalesce(Sum("size", filter=~Q(error="")), 0),
    )
    pending, broken, lost = totals.pop("pending"), totals.pop("broken"), totals.pop("lost")
    IngestJob.objects.filter(pk=job_id).update(
        **{name.removesuffix("_total"): n for name, n in totals.items()}
    )
    if pending:
        return False
    finishing = IngestJob.objects.filter(pk=job_id, parsed_all=True, state=IngestJob.State.RUNNING)
    if not broken:
        return bool(finishing.update(state=IngestJob.State.DONE, finished=timezone.now()))
    first = IngestBatch.objects.filter(job_id=job_id).exclude(error="").order_by("seq").first()
    message = (
        f"{broken} batch{'es' * (broken > 1)} ({lost} documents) could not be classified or indexed;"
        f" the first, batch {first.seq}: {first.error}"
        if first
        else ""
    )
    return bool(finishing.update(state=IngestJob.State.FAILED, message=message, finished=timezone.now()))
