"""The same ingest at growing sizes, and a large upload through the API: throughput and peak memory.

    python bench/ingest_scale.py [--sizes 1000,10000,100000] [--upload-mb 1024] [--concurrency 2]
        [--database-url postgres://postgres@127.0.0.1:5432 --redis-url redis://127.0.0.1:6379/14]

Each size runs in a fresh folder on the embedded default (SQLite, SQLite FTS5, filesystem
broker), or on PostgreSQL and Redis when given, with one worker of ``--concurrency`` processes,
through the same `manage.py ingest` a librarian would use, on real arXiv records (the shared train file, repeated under new ids past
its end). The clock starts after a warm-up job has loaded the model in the worker processes.
Then a file of ``--upload-mb`` (repeated records) is streamed to ``POST /api/jobs/`` on gunicorn.
Prints the figures and writes them to bench/results/ingest_scale.json.

Targets: every worker process's peak RSS at most 1 GiB and flat (within 10%) from the smallest
size to the largest; the web process at most 300 MB during the upload.
"""

import argparse
import gzip
import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(REPO)]
from procs import children, peak_rss_mib  # noqa: E402

from shelfmark.workers import start_in_session, start_worker, stop_gracefully  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
TRAIN = SHARED / "corpora" / "arxiv-2025-train.jsonl.gz"
WARMUP = SHARED / "corpora" / "arxiv-2025-dev.jsonl.gz"
TAXONOMY = REPO / "demo" / "arxiv-nodes.csv"
WORKER_RSS_MIB = 1024
WEB_RSS_MB = 300
FLAT = 0.10
READY_TIMEOUT_S = 180
CHUNK = 1024 * 1024


def records(count: int) -> Iterator[str]:
    """``count`` JSON lines of real arXiv records; past the end of the file, again under new ids."""
    produced, round_ = 0, 0
    while produced < count:
        with gzip.open(TRAIN, "rt", encoding="utf-8") as source:
            for line in islice(source, count - produced):
                if round_:
                    record = json.loads(line)
                    record["id"] = f"{record['id']}#{round_}"
                    line = json.dumps(record) + "\n"
                produced += 1
                yield line
        round_ += 1


def write_records(path: Path, count: int) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        out.writelines(records(count))
    return path


def write_bytes(path: Path, size: int) -> Path:
    """About ``size`` bytes of JSON lines (records repeated under new ids)."""
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for line in records(sys.maxsize):
            out.write(line)
            written += len(line.encode("utf-8"))
            if written >= size:
                return path
    return path


class Site:
    """A fresh installation in a folder of its own: the embedded default, or on the given servers.

    With ``database_url`` (a PostgreSQL server) the site gets a new database there, dropped at the
    end; with ``redis_url`` its broker is that Redis database, emptied first.
    """

    def __init__(self, concurrency: int, database_url: str = "", redis_url: str = "") -> None:
        self.var = Path(tempfile.mkdtemp(prefix="shelfmark-scale-"))
        self.env = {**os.environ, "SHELFMARK_VAR": str(self.var), "WORKER_CONCURRENCY": str(concurrency)}
        self.env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # a site of its own, served to no one
        self.env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
        for name in (
            "DATABASE_URL",
            "REDIS_URL",
            "ELASTICSEARCH_URL",
            "SEARCH_BACKEND",
            "SHELFMARK_BROKER_DIR",
        ):
            self.env.pop(name, None)
        self.server, self.database = database_url, f"shelfmark_scale_{uuid.uuid4().hex[:8]}"
        if database_url:
            self._admin(f"CREATE DATABASE {self.database}")
            self.env["DATABASE_URL"] = f"{database_url.rstrip('/')}/{self.database}"
        if redis_url:
            import redis

            redis.Redis.from_url(redis_url).flushdb()
            self.env["REDIS_URL"] = redis_url
        self.manage("migrate", "--noinput", "-v0")
        self.manage("import_taxonomy", str(TAXONOMY), "--name", "arxiv")

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.server.rstrip('/')}/postgres", autocommit=True) as connection:
            connection.execute(statement)

    def remove(self) -> None:
        """Delete the site's folder and database."""
        shutil.rmtree(self.var)
        if self.server:
            self._admin(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )

    def start(self, command: list[str], log_name: str) -> subprocess.Popen:
        return start_in_session(command, self.env, self.var / log_name)


def tree_peaks(pid: int) -> dict[int, float]:
    """Peak RSS (MiB) of a process and each of its descendants."""
    return {p: round(peak_rss_mib(p), 1) for p in [pid, *children(pid)]}


def last_job_line(output: str) -> str:
    return [line for line in output.splitlines() if line.startswith("job ")][-1]


def measure_size(count: int, concurrency: int, database_url: str = "", redis_url: str = "") -> dict:
    """Ingest ``count`` real arXiv records in a fresh site."""
    site = Site(concurrency, database_url, redis_url)
    return measure_file(site, write_records(site.var / f"arxiv-{count}.jsonl", count), concurrency)


def measure_file(site: Site, source: Path, concurrency: int) -> dict:
    """Ingest ``source`` through ``manage.py ingest`` after a warm-up job; throughput and worker peaks."""
    warmup = site.var / "warmup.jsonl"
    with gzip.open(WARMUP, "rt", encoding="utf-8") as dev:
        warmup.write_text("".join(islice(dev, 4 * 64 * concurrency)), encoding="utf-8")
    worker = start_worker(site.env, site.var / "worker.log", loglevel="WARNING")
    try:
        site.manage("ingest", str(warmup), "--corpus", "warmup", "--taxonomy", "arxiv")
        started = time.monotonic()
        result = site.manage("ingest", str(source), "--corpus", "bench", "--taxonomy", "arxiv")
        elapsed = time.monotonic() - started
        peaks = tree_peaks(worker.pid)
    finally:
        stop_gracefully(worker, timeout=60)
        site.remove()
    last = last_job_line(result.stdout)
    stored = int(last.split("stored ")[1].split(",")[0])
    return {
        "file": source.name,
        "documents": stored,
        "stored": stored,
        "seconds": round(elapsed, 1),
        "documents_per_second": round(stored / elapsed, 1),
        "worker_peak_rss_mib": sorted(peaks.values()),
        "worker_peak_rss_mib_max": max(peaks.values()),
        "job": last,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stream_upload(port: int, path: Path) -> tuple[int, dict]:
    """POST the file as multipart form data without ever holding it in memory; (status, body)."""
    boundary = uuid.uuid4().hex
    fields = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in (("corpus", "upload"), ("taxonomy", "arxiv"))
    )
    head = (
        f'{fields}--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: application/x-ndjson\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1800)
    connection.putrequest("POST", "/api/jobs/")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + path.stat().st_size + len(tail)))
    connection.endheaders()
    connection.send(head)
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            connection.send(chunk)
    connection.send(tail)
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def measure_upload(megabytes: int) -> dict:
    site = Site(concurrency=1)
    source = write_bytes(site.var / "large.jsonl", megabytes * 1024 * 1024)
    port = free_port()
    web = site.start(
        [sys.executable, "-m", "gunicorn", "shelfmark.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--timeout", "1800"],
        "web.log",
    )  # fmt: skip
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or web.poll() is not None:
                    raise RuntimeError((site.var / "web.log").read_text()) from None
                time.sleep(0.2)
        started = time.monotonic()
        status, body = stream_upload(port, source)
        elapsed = time.monotonic() - started
        peaks = tree_peaks(web.pid)
    finally:
        stop_gracefully(web, timeout=60)
    size = source.stat().st_size
    site.remove()
    if status != 201:
        raise RuntimeError(f"upload answered {status}: {body}")
    return {
        "bytes": size,
        "seconds": round(elapsed, 1),
        "megabytes_per_second": round(size / 1e6 / elapsed, 1),
        "job": body.get("id"),
        "web_peak_rss_mb": sorted(round(mib * 1.048576, 1) for mib in peaks.values()),
        "web_peak_rss_mb_max": round(max(peaks.values()) * 1.048576, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="documents per run, comma-separated")
    parser.add_argument("--upload-mb", type=int, default=1024, help="size of the uploaded file; 0 skips it")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432"
    )
    parser.add_argument("--redis-url", default="", help="a Redis database for the broker, emptied first")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "ingest_scale.json")
    args = parser.parse_args()

    figures: dict = {
        "cores": len(os.sched_getaffinity(0)),
        "worker_processes": args.concurrency,
        "database": "postgresql" if args.database_url else "sqlite",
        "broker": "redis" if args.redis_url else "filesystem",
        "sizes": [],
    }
    for count in (int(size) for size in args.sizes.split(",")):
        figures["sizes"].append(measure_size(count, args.concurrency, args.database_url, args.redis_url))
        print(json.dumps(figures["sizes"][-1]), flush=True)
    peaks = [run["worker_peak_rss_mib_max"] for run in figures["sizes"]]
    figures["worker_peak_rss_spread"] = round(max(peaks) / min(peaks) - 1, 3)
    figures["worker_target_met"] = max(peaks) <= WORKER_RSS_MIB and figures["worker_peak_rss_spread"] <= FLAT
    if args.upload_mb:
        figures["upload"] = measure_upload(args.upload_mb)
        figures["upload"]["web_target_met"] = figures["upload"]["web_peak_rss_mb_max"] <= WEB_RSS_MB
        print(json.dumps(figures["upload"]), flush=True)
    print(json.dumps(figures, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
