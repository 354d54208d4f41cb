"""The hard memory cap of a worker's pool processes: the kernel refuses each more writable memory
than ``WORKER_MEMORY_CAP_MB``, so that one task can never take the machine.

The cap is RLIMIT_DATA, not RLIMIT_AS. It counts the memory a process can write (heap, anonymous
maps, thread stacks), which is what grows with an input; address space that is only reserved (a
64 MiB malloc arena per thread, shared libraries) is not counted, since it grows with the cores of
the machine and would make a cap measured on one machine too small on a larger one. Past the cap an
allocation fails: Python raises MemoryError, which a task reports as ``OutOfMemory``; native code
may abort instead, and the pool replaces the process (``shelfmark.poison`` counts such deaths).
"""

import resource

MIB = 1024 * 1024


class OutOfMemory(Exception):
    """A task needed more memory than its process may have. Unlike MemoryError, which Celery's
    worker re-raises in its main process (and dies of), a plain task failure."""


def cap_memory(megabytes: int) -> None:
    """Cap this process's writable memory, and that of the processes it starts, at ``megabytes``
    (never above a lower limit already set); 0 leaves it as it is."""
    if megabytes <= 0:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = megabytes * MIB if hard == resource.RLIM_INFINITY else min(megabytes * MIB, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


LIBPQ_OUT_OF_MEMORY = ("out of memory", "cannot allocate memory")  # for a query result, an input buffer


def ran_out_of_memory(error: BaseException) -> bool:
    """Whether ``error`` says the process had no more memory: a MemoryError, or the database
    client's own failure to hold what the server sent (libpq: "out of memory for query result",
    or "cannot allocate memory for input buffer" for a long row)."""
    return isinstance(error, MemoryError) or str(error).startswith(LIBPQ_OUT_OF_MEMORY)


def out_of_memory(error: BaseException) -> OutOfMemory:
    """The task failure that stands for ``error``, naming the cap it ran into."""
    soft, _ = resource.getrlimit(resource.RLIMIT_DATA)
    if soft == resource.RLIM_INFINITY:
        return OutOfMemory(f"out of memory {error}".strip())
    return OutOfMemory(
        f"out of memory: needed more than the worker process's cap of {soft // MIB} MiB (WORKER_MEMORY_CAP_MB)"
    )
