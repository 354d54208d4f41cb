"""How a Celery worker for the pipeline is started as a subprocess (tests and benchmarks)."""

import contextlib
import os
import signal
import subprocess
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


def stop_gracefully(process: subprocess.Popen, timeout: float = 30) -> None:
    """Stop a worker (or gunicorn) started with ``start_new_session``: SIGTERM to its main process
    alone, whose warm shutdown stops its pool (signalling the whole group kills the pool under it
    and leaves the main process waiting), then SIGKILL to whatever of the group is left."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
