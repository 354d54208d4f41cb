"""How a Celery worker for the pipeline is started as a subprocess (tests and benchmarks)."""

import sys

QUEUES = ("ingest", "classify", "index")


def worker_command(
    concurrency: int | None = None, loglevel: str = "INFO", standalone: bool = False
) -> list[str]:
    """The command line of a worker on every pipeline queue, run by this Python interpreter.

    Without ``concurrency`` the worker takes ``WORKER_CONCURRENCY`` from the settings; a
    ``standalone`` worker skips mingle and gossip, the talk with other workers, and is ready sooner.
    """
    command = [sys.executable, "-m", "celery", "-A", "shelfmark", "worker", "-Q", ",".join(QUEUES)]
    if concurrency is not None:
        command += ["--concurrency", str(concurrency)]
    command += ["--loglevel", loglevel]
    if standalone:
        command += ["--without-mingle", "--without-gossip"]
    return command
