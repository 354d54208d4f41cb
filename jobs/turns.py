"""Turns of a job's batching: one task at a time takes the job's next batches from its checkpoint,
pauses while too many are on their way, and hands on to a new task when woken or when stalled."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jobs.models import IngestBatch, IngestJob
from jobs.pipeline import queue_parse
from jobs.progress import FINISHED


def pending_batches(job_id: int) -> int:
    """Batches of the job stored but not yet through classify and index (nor given up)."""
    return IngestBatch.objects.filter(job_id=job_id, indexed=False, error="").count()


def hold_checkpoint(job_id: int, turn: int, seq: int) -> bool:
    """Lock the job row for this transaction if batching is still this turn's, at batch ``seq``."""
    return (
        IngestJob.objects.select_for_update()
        .filter(pk=job_id, parse_turn=turn, next_batch=seq, parsed_all=False)
        .exclude(state__in=FINISHED)
        .exists()
    )


def pause_parsing(job_id: int, turn: int) -> None:
    """Park batching as turn ``turn + 1``, to be woken; wake it at once if the batches got through meanwhile."""
    parked = IngestJob.objects.filter(pk=job_id, parse_turn=turn).update(
        parse_turn=turn + 1, parse_waiting=True, heartbeat=timezone.now()
    )
    if parked:
        wake_parsing(job_id)


def wake_parsing(job_id: int) -> bool:
    """Queue the parked batching of the job once no more than half the batches allowed are on their way."""
    if pending_batches(job_id) > settings.INGEST_MAX_PENDING_BATCHES // 2:
        return False
    turn = (
        IngestJob.objects.filter(pk=job_id, parse_waiting=True).values_list("parse_turn", flat=True).first()
    )
    if turn is None:
        return False
    woken = IngestJob.objects.filter(pk=job_id, parse_waiting=True, parse_turn=turn).update(
        parse_waiting=False, heartbeat=timezone.now()
    )
    if woken:
        transaction.on_commit(lambda: queue_parse(job_id, turn))
    return bool(woken)


def hand_on(job_id: int, turn: int) -> bool:
    """Give batching to a new task, turn ``turn + 1``; the task of ``turn``, if alive, stops at its next batch.

    Only one caller can hand on a given turn, so batching never forks into two chains.
    """
    moved = IngestJob.objects.filter(pk=job_id, parse_turn=turn).update(
        parse_turn=turn + 1, parse_waiting=False, heartbeat=timezone.now()
    )
    if moved:
        transaction.on_commit(lambda: queue_parse(job_id, turn + 1))
    return bool(moved)
