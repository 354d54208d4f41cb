"""The same ingest at growing sizes, and a large upload through the API: throughput and peak memory.

    python bench/ingest_scale.py [--sizes 1000,10000,100000] [--workers 1,2,4] [--concurrency 2]
        [--upload-mb 1024] [--model demo/arxiv-model.joblib | --zero-shot] [--busy-ok]
        [--database-url postgres://postgres@127.0.0.1:5432 --redis-url redis://127.0.0.1:6379/14]

Each size runs in a fresh folder on the embedded default (SQLite, SQLite FTS5, filesystem
broker), or on PostgreSQL and Redis when given, with each count of ``--workers`` worker commands
started apart (as on several hosts) of ``--concurrency`` processes each, through the same
`manage.py ingest` a librarian would use, on real arXiv records (the shared train file, repeated
under new ids past its end), classified by the trained arXiv model a fresh install switches on
(unless another is named, or ``--zero-shot``). The clock starts after a warm-up job has loaded
the model in the worker processes. Every worker process's peak RSS is sampled while it runs (a
process replaced midway keeps its peak), and no throughput is reported unless every record was
stored, classified and indexed.
Then a file of ``--upload-mb`` (repeated records) is streamed to ``POST /api/jobs/`` on gunicorn.
Prints the figures and the machine's load over the runs (``load``), and writes them to
bench/results/ingest_scale.json unless other processes took a share of the machine (exit status
1; ``--busy-ok`` writes them marked busy).

Targets: every worker process's peak RSS at most 1 GiB and flat (within 10%) from the smallest
size to the largest; the web process at most 300 MB during the upload.
"""

import argparse
import gzip
import http.client
import json
import os
import re
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
from load import Watch  # noqa: E402
from procs import PeakSampler  # noqa: E402

from shelfmark.workers import start_in_session, start_worker, stop_gracefully  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
TRAIN = SHARED / "corpora" / "arxiv-2025-train.jsonl.gz"
WARMUP = SHARED / "corpora" / "arxiv-2025-dev.jsonl.gz"
TAXONOMY = REPO / "demo" / "arxiv-nodes.csv"
MODEL = REPO / "demo" / "arxiv-model.joblib"  # the trained model a fresh install switches on
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
    end; with ``redis_url`` its broker is that Redis database, emptied first. With ``model`` (a
    model file) that model is switched on for the arXiv taxonomy; without, it classifies zero-shot.
    """

    def __init__(
        self, concurrency: int, database_url: str = "", redis_url: str = "", model: Path | None = None
    ) -> None:
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
        if model:
            self.manage("import_model", str(model), "--taxonomy", "arxiv", "--activate")

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


def last_job_line(output: str) -> str:
    return [line for line in output.splitlines() if line.startswith("job ")][-1]


def measure_size(
    count: int,
    concurrency: int,
    workers: int,
    database_url: str = "",
    redis_url: str = "",
    model: Path | None = None,
) -> dict:
    """Ingest ``count`` real arXiv records in a fresh site."""
    site = Site(concurrency, database_url, redis_url, model)
    source = write_records(site.var / f"arxiv-{count}.jsonl", count)
    return measure_file(site, source, concurrency, workers, expected=count)


def measure_file(
    site: Site, source: Path, concurrency: int, workers: int = 1, expected: int | None = None
) -> dict:
    """Ingest ``source`` through ``manage.py ingest`` after a warm-up job, with ``workers`` worker
    commands started apart (as on several hosts); throughput and every worker process's peak RSS,
    sampled while they run (replaced processes included).

    No figure without the whole job: every record read must be stored (or a duplicate), none
    failed, and every stored document classified and indexed (RuntimeError otherwise).
    """
    warmup = site.var / "warmup.jsonl"
    with gzip.open(WARMUP, "rt", encoding="utf-8") as dev:
        warmup.write_text("".join(islice(dev, 4 * 64 * concurrency * workers)), encoding="utf-8")
    started_workers = [
        start_worker(site.env, site.var / f"worker-{n}.log", loglevel="WARNING", name=f"bench{n}")
        for n in range(workers)
    ]
    try:
        site.manage("ingest", str(warmup), "--corpus", "warmup", "--taxonomy", "arxiv")
        with PeakSampler([w.pid for w in started_workers]) as sampler:
            started = time.monotonic()
            result = site.manage("ingest", str(source), "--corpus", "bench", "--taxonomy", "arxiv")
            elapsed = time.monotonic() - started
    finally:
        for worker in started_workers:
            stop_gracefully(worker, timeout=60)
        site.remove()
    last = last_job_line(result.stdout)
    counts = job_counts(last)
    complete = (
        " done:" in last
        and counts["failed"] == 0
        and counts["read"] == (expected if expected is not None else counts["read"])
        and counts["stored"] + counts["duplicates"] == counts["read"]
        and counts["classified"] == counts["indexed"] == counts["stored"]
    )
    if not complete:
        raise RuntimeError(f"the job did not take every record, so no throughput is reported: {last}")
    peaks = sampler.peaks
    return {
        "file": source.name,
        "documents": counts["stored"],
        "workers": workers,
        "seconds": round(elapsed, 1),
        "documents_per_second": round(counts["stored"] / elapsed, 1),
        "worker_processes_seen": len(peaks),
        "worker_peak_rss_mib": sorted(peaks.values()),
        "worker_peak_rss_mib_max": max(peaks.values()),
        "job": last,
    }


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """``--model FILE`` (default: the demo's trained arXiv model) or ``--zero-shot``."""
    parser.add_argument("--model", type=Path, default=MODEL, help="the trained model to switch on")
    parser.add_argument("--zero-shot", action="store_true", help="classify without a trained model")


def model_option(args: argparse.Namespace) -> Path | None:
    return None if args.zero_shot else args.model.resolve()


def job_counts(line: str) -> dict[str, int]:
    """The counts of ``manage.py ingest``'s last line: read, stored, duplicates, failed, ..."""
    return {
        name: int(n)
        for name, n in re.findall(r"(read|stored|duplicates|failed|warnings|classified|indexed) (\d+)", line)
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
        with PeakSampler([web.pid]) as sampler:
            started = time.monotonic()
            status, body = stream_upload(port, source)
            elapsed = time.monotonic() - started
        peaks = sampler.peaks
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
    parser.add_argument("--concurrency", type=int, default=2, help="processes of each worker")
    parser.add_argument(
        "--workers", default="1", help="worker commands started apart, comma-separated counts"
    )
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432"
    )
    parser.add_argument("--redis-url", default="", help="a Redis database for the broker, emptied first")
    add_model_options(parser)
    parser.add_argument("--busy-ok", action="store_true", help="write the figures of a busy machine")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "ingest_scale.json")
    args = parser.parse_args()

    figures: dict = {
        "model": str(model_option(args) or "zero-shot"),
        "cores": len(os.sched_getaffinity(0)),
        "worker_processes": args.concurrency,
        "database": "postgresql" if args.database_url else "sqlite",
        "broker": "redis" if args.redis_url else "filesystem",
        "runs": [],
    }
    with Watch() as load:
        for workers in (int(n) for n in args.workers.split(",")):
            for count in (int(size) for size in args.sizes.split(",")):
                run = measure_size(
                    count, args.concurrency, workers, args.database_url, args.redis_url, model_option(args)
                )
                figures["runs"].append(run)
                print(json.dumps(run), flush=True)
    peaks = [run["worker_peak_rss_mib_max"] for run in figures["runs"]]
    figures["worker_peak_rss_spread"] = round(max(peaks) / min(peaks) - 1, 3)
    figures["worker_target_met"] = max(peaks) <= WORKER_RSS_MIB and figures["worker_peak_rss_spread"] <= FLAT
    if args.upload_mb:
        figures["upload"] = measure_upload(args.upload_mb)
        figures["upload"]["web_target_met"] = figures["upload"]["web_peak_rss_mb_max"] <= WEB_RSS_MB
        print(json.dumps(figures["upload"]), flush=True)
    figures |= load.report()
    print(json.dumps(figures, indent=2))
    print(load.summary())
    load.refuse_if_busy(args.busy_ok, args.out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
