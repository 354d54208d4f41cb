"""Per-process set-up of the model runtime for Celery workers."""

import os

from django.conf import settings

from classifier.encoders.base import use_threads


def worker_share_of_cores() -> int:
    """Cores this process may use: the machine's cores divided among the worker's processes."""
    cores = len(os.sched_getaffinity(0))
    concurrency = max(1, settings.CELERY_WORKER_CONCURRENCY)
    return settings.ENCODER_THREADS or max(1, cores // concurrency)


def configure_worker_threads() -> None:
    """Give the encoders this worker's share of the cores, after fork.

    Encoders load on first use, once per process: a worker holds only those its classifiers use
    (the configured one, or a trained model's fine-tuned one, not both)."""
    use_threads(worker_share_of_cores())
