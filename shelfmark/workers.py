"""How a Celery worker for the pipeline is started as a subprocess (tests and benchmarks)."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

QUEUES = ("ingest", "classify", "index")
REPO = Path(__file__).resolve().parents[1]


def worker_command(
    concurrency: int | None = None, loglevel: str = "INFO", standalone: bool = False, name: str = ""
) -> list[str]:
    """The command line of a worker on every pipeline queue, run by this Python interpreter.

    Without ``concurrency`` the worker takes ``WORKER_CONCURRENCY`` from the settings; a
    ``standalone`` worker skips mingle and gossip, the talk with other workers, and is ready sooner;
    ``name`` tells several workers on one machine apart (``NAME@host``).
    """
    command = [sys.executable, "-m", "celery", "-A", "shelfmark", "worker", "-Q", ",".join(QUEUES)]
    if name:
        command += ["--hostname", f"{name}@%h"]
    if concurrency is not None:
        command += ["--concurrency", str(concurrency)]
    command += ["--loglevel", loglevel]
    if standalone:
        command += ["--without-mingle", "--without-gossip"]
    return command


def start_in_session(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a command of Shelfmark's (a worker, gunicorn) from the repository, in a session of its
    own so that ``stop_gracefully`` can stop all it started, its output going to ``log``."""
    with log.open("w") as out:
        return subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def start_worker(
    env: dict[str, str],
    log: Path,
    concurrency: int | None = None,
    loglevel: str = "INFO",
    standalone: bool = False,
    ready_timeout: float | None = None,
    name: str = "",
) -> subprocess.Popen:
    """Start a worker on every pipeline queue (``worker_command``) with ``env``; with
    ``ready_timeout`` (and an INFO log), wait until it says it is ready."""
    process = start_in_session(worker_command(concurrency, loglevel, standalone, name), env, log)
    if ready_timeout is not None:
        wait_ready(process, log, ready_timeout)
    return process


def wait_ready(process: subprocess.Popen, log: Path, timeout: float) -> None:
    """Wait until the worker logs that it is ready; RuntimeError with its log's end if it exits or
    takes longer than ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text()
        if " ready." in text:
            return
        if process.poll() is not None:
            raise RuntimeError(f"worker exited with {process.returncode}:\n{text[-4000:]}")
        time.sleep(0.2)
    raise RuntimeError(f"worker not ready after {timeout}s:\n{log.read_text()[-4000:]}")


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
