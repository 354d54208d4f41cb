"""The Celery app: settings come from Django's CELERY_* settings.

Pipeline tasks retry errors of a service that is briefly away (database, broker, search engine)
with exponential backoff, and every worker looks for stalled ingest jobs now and then, so that
work lost with a dead worker or a restarted broker is done again. Each pool process runs under a
hard memory cap (``shelfmark.memory_cap``), and a task that keeps killing the processes that run it
is given up (``shelfmark.poison``); the worker's main process survives both.
"""

import ctypes
import functools
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import celery
from celery import Celery, bootsteps, shared_task
from celery.signals import task_postrun, worker_process_init
from django.db import reset_queries

from shelfmark.memory_cap import cap_memory, out_of_memory, ran_out_of_memory
from shelfmark.poison import give_up_poison

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelfmark.settings")

logger = logging.getLogger(__name__)


class Task(celery.Task):
    """Every task of Shelfmark's. A task whose message has killed too many worker processes fails
    before it runs; one that runs out of memory fails as ``OutOfMemory``, since Celery's worker
    re-raises a MemoryError in its main process, and that process dies of it."""

    Request = "shelfmark.poison:CountingRequest"

    def __call__(self, *args, **kwargs):
        give_up_poison(self.request)
        try:
            return super().__call__(*args, **kwargs)
        except Exception as error:
            close_broken_connections()  # the failure's callback records it: on a connection that works
            if not ran_out_of_memory(error):
                raise
            logger.exception("%s[%s] ran out of memory", self.name, self.request.id)
            raise out_of_memory(error) from None


def close_broken_connections() -> None:
    """Close the database connections an error left unusable (libpq out of sync after running out
    of memory, say), so that the next query opens a new one."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if connection.errors_occurred and not connection.in_atomic_block and not connection.is_usable():
            connection.close()


app = Celery("shelfmark", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Errors of a service that is away for a moment, named by class so that recognising one does
# not import the search engine's client. A subclass of any of them counts too.
TRANSIENT_ERRORS = frozenset(
    {
        "django.db.utils.OperationalError",
        "django.db.utils.InterfaceError",
        "sqlite3.OperationalError",
        "kombu.exceptions.OperationalError",
        "redis.exceptions.ConnectionError",
        "redis.exceptions.TimeoutError",
        "elastic_transport.ConnectionError",
        "elastic_transport.ConnectionTimeout",
    }
)


class TransientError(Exception):
    """A service the task needs was unreachable; the task is retried later."""


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` says a service is briefly away, rather than that the work is wrong (a
    database client out of memory is not: trying again would run out again)."""
    if ran_out_of_memory(error):
        return False
    return any(f"{cls.__module__}.{cls.__qualname__}" in TRANSIENT_ERRORS for cls in type(error).__mro__)


@contextmanager
def transient_errors_retried() -> Iterator[None]:
    """Turn a transient error into ``TransientError``, which pipeline tasks retry."""
    try:
        yield
    except TransientError:
        raise
    except Exception as error:
        if is_transient(error):
            raise TransientError(f"{type(error).__name__}: {error}") from error
        raise


def pipeline_task(name: str, queue: str) -> Callable[[Callable], Callable]:
    """A shared task on ``queue`` that retries transient errors with exponential backoff
    (``INGEST_TASK_MAX_RETRIES`` times, waits up to ``INGEST_RETRY_BACKOFF_MAX_S``), then fails."""
    from django.conf import settings

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def run(*args, **kwargs):
            with transient_errors_retried():
                return function(*args, **kwargs)

        return shared_task(
            name=name,
            queue=queue,
            autoretry_for=(TransientError,),
            retry_backoff=True,
            retry_backoff_max=settings.INGEST_RETRY_BACKOFF_MAX_S,
            retry_jitter=True,
            max_retries=settings.INGEST_TASK_MAX_RETRIES,
        )(run)

    return decorate


class JobWatchdog(bootsteps.StartStopStep):
    """Queues a look for stalled ingest jobs, for stale resumable uploads to discard and for uploaded
    files kept past ``INGEST_KEEP_SOURCES_S``, every ``INGEST_WATCHDOG_INTERVAL_S`` seconds.

    Runs in the worker's main process, which only publishes: each look itself is a task. A step of
    the consumer, like Celery's heartbeat: the consumer clears its timer when the broker connection
    is lost and starts its steps again once it is back, so the looks go on after a broker restart.
    """

    looks = ("jobs.resume_stalled_jobs", "jobs.discard_stale_uploads", "jobs.remove_kept_sources")

    def __init__(self, consumer, **kwargs) -> None:
        super().__init__(consumer, **kwargs)
        self.timer_entry = None

    def start(self, consumer) -> None:
        from django.conf import settings

        interval = settings.INGEST_WATCHDOG_INTERVAL_S
        self.timer_entry = consumer.timer.call_repeatedly(interval, self.look, (interval,))

    def stop(self, consumer) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None

    shutdown = stop

    @classmethod
    def look(cls, interval: float) -> None:
        # A look still queued after a few more have been sent is of no use: it expires.
        for name in cls.looks:
            try:
                app.send_task(name, queue="ingest", expires=5 * interval)
            except Exception as error:  # the broker is away: look again next time
                logger.warning("could not queue %s: %s", name, error)
                return


app.steps["consumer"].add(JobWatchdog)


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


MALLOC_TRIM = _malloc_trim()


@worker_process_init.connect
def _cap_memory(**_: object) -> None:
    """Cap each pool process, after fork; the main process, which only supervises, stays uncapped."""
    from django.conf import settings

    cap_memory(settings.WORKER_MEMORY_CAP_MB)


@task_postrun.connect
def _give_back_memory(**_: object) -> None:
    """Forget the task's SQL and hand the heap it freed back to the system.

    With DEBUG on, Django logs every query of a connection (up to 9,000, each with its
    parameters: a batch's abstracts and vectors); a web request clears the log, a task does not.
    glibc keeps freed heap otherwise: a batch's buffers would stay mapped and the next batch's
    land beside them (measured: about 1,120 MiB after 30 batches against 960 trimmed)."""
    reset_queries()
    if MALLOC_TRIM is not None:
        MALLOC_TRIM(0)
