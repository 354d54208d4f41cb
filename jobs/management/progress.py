"""A job's progress for the command line: one line of counts, rate and ETA, followed until the job ends."""

import time

from django.core.management.base import OutputWrapper

from jobs.models import IngestJob

POLL_S = 0.5
LOG_EVERY_S = 10.0  # when the output is not a terminal: one progress line this often


def progress_line(job: IngestJob, reclassifying: bool = False) -> str:
    """One line of a job's progress: records (documents, when it reclassifies) through out of all,
    rate, ETA and counts."""
    total = f"/{job.expected:,}" if job.expected is not None else ""
    share = f" ({job.processed / job.expected:.0%})" if job.expected else ""
    rate = f"{job.throughput:.1f} docs/s" if job.throughput else "-- docs/s"
    eta = _clock(job.eta_s) if job.eta_s is not None else "--:--"
    head = f"job {job.pk} {job.state}: {job.processed:,}{total} {'documents' if reclassifying else 'records'}"
    if reclassifying:
        return f"{head}{share}, {rate}, ETA {eta} | classified {job.classified}, indexed {job.indexed}"
    return (
        f"{head}{share}, {rate}, ETA {eta} | "
        f"read {job.read}, stored {job.stored}, duplicates {job.duplicates}, failed {job.failed}, "
        f"warnings {job.warnings}, classified {job.classified}, indexed {job.indexed}"
    )


def _clock(seconds: float) -> str:
    minutes, second = divmod(round(seconds), 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{second:02d}" if hours else f"{minute}:{second:02d}"


def follow(job: IngestJob, out: OutputWrapper, reclassifying: bool = False) -> IngestJob:
    """Show the job's progress until it ends: one line rewritten in place in a terminal, else a
    line now and then; returns the finished job."""
    live = out.isatty()
    last_logged = 0.0
    while True:
        job.refresh_from_db()
        finished = job.state in (IngestJob.State.DONE, IngestJob.State.FAILED)
        line = progress_line(job, reclassifying)
        if live and not finished:
            out.write(f"\r\x1b[K{line}", ending="")
            out.flush()
        elif finished or time.monotonic() - last_logged >= LOG_EVERY_S:
            out.write(("\r\x1b[K" if live else "") + line)
            last_logged = time.monotonic()
        if finished:
            return job
        time.sleep(POLL_S)
