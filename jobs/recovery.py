"""Recovery of jobs whose work was lost (a worker killed, a broker that dropped its messages).

The database knows what each job still needs; the broker's messages are only a means. A job
whose parsing or batches showed no sign of life for a while has that work queued again; the
tasks are idempotent, so work that was merely slow is done twice at worst, never counted twice.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jobs.actions import fail_batch
from jobs.models import IngestBatch, IngestJob
from jobs.pipeline import dispatch_batch
from jobs.progress import FINISHED, refresh_progress
from jobs.turns import hand_on, wake_parsing

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resumed:
    """What one look at the open jobs queued again or gave up."""

    parses: int = 0
    batches: int = 0
    given_up: int = 0


def resume_stalled_jobs(stalled_after: timedelta) -> Resumed:
    """Queue again the parsing and the batches of open jobs that made no progress for ``stalled_after``.

    A batch dispatched ``INGEST_BATCH_MAX_DISPATCHES`` times without getting through is given up,
    so that a batch that kills its worker every time cannot keep a job open forever.
    """
    cutoff = timezone.now() - stalled_after
    parses = batches = given_up = 0
    for job in IngestJob.objects.exclude(state__in=FINISHED).order_by("pk"):
        if job.parse_waiting:
            parses += wake_parsing(job.pk)  # a wake-up that was lost
        elif not job.parsed_all and job.heartbeat < cutoff and hand_on(job.pk, job.parse_turn):
            logger.warning("job %s: parsing stalled; queued again from batch %s", job.pk, job.next_batch)
            parses += 1
        stalled = job.batches.filter(indexed=False, error="", touched__lt=cutoff)
        for batch in stalled.order_by("seq"):
            if batch.dispatches >= settings.INGEST_BATCH_MAX_DISPATCHES:
                logger.warning(
                    "job %s: batch %s given up after %s dispatches", job.pk, batch.seq, batch.dispatches
                )
                fail_batch(batch, f"no progress after {batch.dispatches} dispatches")
                given_up += 1
            elif _dispatch_again(batch):
                logger.warning("job %s: batch %s stalled; dispatched again", job.pk, batch.seq)
                batches += 1
        refresh_progress(job.pk)  # also finishes a job whose last count was lost
    return Resumed(parses=parses, batches=batches, given_up=given_up)


def _dispatch_again(batch: IngestBatch) -> bool:
    """Dispatch a stalled batch again, unless another look just did."""
    moved = IngestBatch.objects.filter(pk=batch.pk, touched=batch.touched).update(
        touched=timezone.now(), dispatches=F("dispatches") + 1
    )
    if moved:
        transaction.on_commit(lambda: dispatch_batch(batch))
    return bool(moved)


def retry_failed_batches(job: IngestJob) -> int:
    """Open a job that failed on batches again and dispatch those batches anew (the services are back)."""
    failed = list(job.batches.exclude(error="").filter(indexed=False))
    if not failed or not job.parsed_all:
        return 0
    with transaction.atomic():
        IngestBatch.objects.filter(pk__in=[b.pk for b in failed]).update(
            error="", dispatches=1, touched=timezone.now()
        )
        IngestJob.objects.filter(pk=job.pk).update(state=IngestJob.State.RUNNING, message="", finished=None)
        for batch in failed:
            transaction.on_commit(lambda batch=batch: dispatch_batch(batch))
    return len(failed)
