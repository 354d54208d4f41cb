"""Per-process set-up of the model runtime for Celery workers."""

import contextlib
import os

from django.conf import settings


def worker_share_of_cores() -> int:
    """Cores this process may use: the machine's cores divided among the worker's processes."""
    cores = len(os.sched_getaffinity(0))
    concurrency = max(1, settings.CELERY_WORKER_CONCURRENCY)
    return settings.TORCH_THREADS or max(1, cores // concurrency)


def configure_worker_threads() -> None:
    """Pin torch's thread pool to this worker's share, after fork.

    Encoders load on first use, once per process: a worker holds only those its classifiers use
    (the configured one, or a trained model's fine-tuned one, not both)."""
    import torch

    torch.set_num_threads(worker_share_of_cores())
    with contextlib.suppress(RuntimeError):  # only settable before the first parallel op
        torch.set_num_interop_threads(1)
