"""The memory cap of a pool process: the kernel refuses it, and the processes it starts, more than
the cap; a task that runs out of memory fails as OutOfMemory, never with a MemoryError."""

import subprocess
import sys

from search import actions
from search.tasks import index_documents
from shelfmark.memory_cap import OutOfMemory
from shelfmark.workers import REPO

ALLOCATE = """
try:
    block = bytearray({mib} * 1024 * 1024)
    print("allocated {mib} MiB")
except MemoryError as error:
    print(out_of_memory(error))
"""


def capped(cap_mb: int, code: str) -> str:
    """What ``code`` prints in a new Python process capped at ``cap_mb`` MiB."""
    setup = f"from shelfmark.memory_cap import cap_memory, out_of_memory\ncap_memory({cap_mb})\n"
    done = subprocess.run(
        [sys.executable, "-c", setup + code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_a_capped_process_gets_what_fits_and_no_more():
    printed = capped(512, ALLOCATE.format(mib=256) + ALLOCATE.format(mib=768))

    assert printed.splitlines() == [
        "allocated 256 MiB",
        "out of memory: needed more than the worker process's cap of 512 MiB (WORKER_MEMORY_CAP_MB)",
    ]


def test_the_processes_a_capped_process_starts_are_capped_too():
    grandchild = "try:\n    bytearray(768 * 1024 * 1024)\n    print('allocated')\nexcept MemoryError:\n    print('refused')"
    printed = capped(512, f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {grandchild!r}])")

    assert printed == "refused\n"


def test_no_cap_leaves_the_process_as_it_was():
    assert capped(0, ALLOCATE.format(mib=768)) == "allocated 768 MiB\n"


def test_a_task_that_runs_out_of_memory_fails_as_out_of_memory(monkeypatch):
    def exhaust(document_ids):
        raise MemoryError

    monkeypatch.setattr(actions, "index_documents", exhaust)

    result = index_documents.apply(args=([1, 2],), throw=False)

    assert result.failed() and isinstance(result.result, OutOfMemory)
    assert str(result.result) == "out of memory"
