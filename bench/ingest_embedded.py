"""Ingest a JSONL corpus on the embedded default and report documents per second and peak RSS.

    python bench/ingest_embedded.py [--file ../shared/data/corpora/arxiv-2025-dev.jsonl.gz]

Runs in a fresh folder (SQLite, SQLite FTS5, filesystem broker), with one worker of
WORKER_CONCURRENCY processes, through the same `manage.py ingest` a librarian would use.
Prints the figures and writes them to bench/results/ingest_embedded.json.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procs import children, peak_rss_mib  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FILE = REPO.parent / "shared" / "data" / "corpora" / "arxiv-2025-dev.jsonl.gz"


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, check=True, capture_output=True, text=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "ingest_embedded.json")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="shelfmark-bench-"))
    env = {**os.environ, "SHELFMARK_VAR": str(var), "WORKER_CONCURRENCY": str(args.concurrency)}
    for name in ("DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "SEARCH_BACKEND"):
        env.pop(name, None)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "import_taxonomy", str(REPO / "demo" / "arxiv-nodes.csv"), "--name", "arxiv")

    log = (var / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "shelfmark",
            "worker",
            "-Q",
            "ingest,classify,index",
            "--loglevel",
            "WARNING",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        time.sleep(15)  # let the worker processes load the model before the clock starts
        started = time.monotonic()
        result = manage(env, "ingest", str(args.file), "--corpus", "bench", "--taxonomy", "arxiv")
        elapsed = time.monotonic() - started
        pids = [worker.pid, *children(worker.pid)]
        rss = {pid: round(peak_rss_mib(pid), 1) for pid in pids}
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait()
    last = [line for line in result.stdout.splitlines() if line.startswith("job ")][-1]
    stored = int(last.split("stored ")[1].split(",")[0])
    figures = {
        "file": args.file.name,
        "documents": stored,
        "seconds": round(elapsed, 1),
        "documents_per_second": round(stored / elapsed, 1),
        "worker_processes": args.concurrency,
        "peak_rss_mib_per_process": list(rss.values()),
        "peak_rss_mib_max_process": max(rss.values()),
        "cores": len(os.sched_getaffinity(0)),
        "job": last,
    }
    print(json.dumps(figures, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
