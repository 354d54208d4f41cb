"""Parse a file in a fresh process, its address space capped, and tell how much its peak memory grew.

``python -m tests.ingest.memory WARM_UP FILE`` parses WARM_UP first (imports, caches), then FILE,
and prints JSON: each result (an external id, or an error's file, line, field and reason) and the
growth of the peak resident size while FILE was parsed."""

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from ingest.errors import RecordError
from ingest.parsers import parse_file

ROOT = Path(__file__).resolve().parents[2]
HEADROOM_BYTES = 512 * 1024 * 1024  # a runaway parser hits MemoryError here instead of the machine's limit


def parse_in_child(warm_up: Path, path: Path) -> tuple[list, int]:
    """``(results, bytes the peak resident size grew)`` of parsing ``path`` in a fresh process."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shelfmark.settings"}
    command = [sys.executable, "-m", "tests.ingest.memory", str(warm_up), str(path)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    return report["results"], report["grown_kib"] * 1024


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _cap_address_space() -> None:
    size = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (size + HEADROOM_BYTES, resource.RLIM_INFINITY))


def _result(item: object) -> object:
    if isinstance(item, RecordError):
        return [item.file, item.line, item.field, item.reason]
    return item.external_id


def main(warm_up: str, path: str) -> None:
    list(parse_file(Path(warm_up)))
    _cap_address_space()
    before = _peak_kib()
    results = [_result(item) for item in parse_file(Path(path))]
    print(json.dumps({"results": results, "grown_kib": _peak_kib() - before}))


if __name__ == "__main__":
    main(*sys.argv[1:])
