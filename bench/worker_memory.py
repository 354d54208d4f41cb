"""How much memory a worker process takes on normal work: the figures that size WORKER_MEMORY_CAP_MB.

    python bench/worker_memory.py [--documents 512] [--train 2000] [--encoder onnx-fp32]

A fresh site on the embedded default (its own ONNX export, made by the first pool process), one
worker of ``--concurrency`` processes, each process of its tree sampled from /proc every 10 ms
while it ingests real arXiv abstracts and the unarXive full texts, then reclassifies them with a
hybrid model trained on ``--train`` arXiv records. Per kind of process (the worker's main
process, its pool processes, the ONNX export they start) it reports the peak address space
(VmPeak, what RLIMIT_AS counts), the peak writable private memory (VmData sampled, what
RLIMIT_DATA counts) and the peak resident set (VmHWM). Prints the figures and writes them to
bench/results/worker_memory.json.
"""

import argparse
import gzip
import json
import os
import sys
import threading
from itertools import islice
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from ingest_scale import REPO, TRAIN, WARMUP, Site, last_job_line  # noqa: E402
from procs import children  # noqa: E402

from shelfmark.workers import start_worker, stop_gracefully  # noqa: E402

FULL_TEXTS = REPO.parent / "shared" / "data" / "corpora" / "unarxive-fulltext-sample.jsonl.gz"
FIELDS = {"VmPeak": "address_space_peak_mib", "VmHWM": "resident_peak_mib"}
SAMPLED = {"VmData": "data_peak_mib", "VmSize": "address_space_sampled_peak_mib"}


def status(pid: int) -> dict[str, int]:
    """The memory lines of /proc/PID/status, in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in FIELDS or name in SAMPLED:
            found[name] = int(value.split()[0])
    return found


def kind(pid: int, worker: int) -> str:
    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    if pid == worker:
        return "main"
    return "onnx_export" if "onnx_export" in command else "pool"


class Sampler(threading.Thread):
    """Polls every process of the worker's tree and keeps each kind's peaks, in MiB."""

    def __init__(self, worker: int) -> None:
        super().__init__(daemon=True)
        self.worker, self.peaks, self.done = worker, {}, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.01):
            for pid in [self.worker, *children(self.worker)]:
                try:
                    figures, name = status(pid), kind(pid, self.worker)
                except (FileNotFoundError, ProcessLookupError, ValueError):
                    continue
                peaks = self.peaks.setdefault(name, {})
                for field, label in {**FIELDS, **SAMPLED}.items():
                    if field in figures:
                        peaks[label] = max(peaks.get(label, 0), round(figures[field] / 1024, 1))

    def stop(self) -> dict:
        self.done.set()
        self.join()
        return self.peaks


def write_lines(path: Path, source: Path, count: int) -> Path:
    with gzip.open(source, "rt", encoding="utf-8") as lines:
        path.write_text("".join(islice(lines, count)), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=512, help="arXiv abstracts ingested")
    parser.add_argument("--train", type=int, default=2000, help="arXiv records the hybrid model learns from")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--encoder", default="onnx-fp32")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "worker_memory.json")
    args = parser.parse_args()

    os.environ["CLASSIFIER_ENCODER"] = args.encoder
    os.environ["WORKER_MEMORY_CAP_MB"] = "0"  # measured without a cap
    site = Site(args.concurrency)
    abstracts = write_lines(site.var / "abstracts.jsonl", WARMUP, args.documents)
    full_texts = write_lines(site.var / "full-texts.jsonl", FULL_TEXTS, 1000)
    training = write_lines(site.var / "train.jsonl", TRAIN, args.train)
    worker = start_worker(site.env, site.var / "worker.log", loglevel="WARNING")
    sampler = Sampler(worker.pid)
    sampler.start()
    try:
        jobs = [
            last_job_line(site.manage("ingest", str(abstracts), "--corpus", "bench", "--taxonomy", "arxiv").stdout),
            last_job_line(site.manage("ingest", str(full_texts), "--corpus", "bench", "--taxonomy", "arxiv").stdout),
        ]  # fmt: skip
        site.manage("train", "--taxonomy", "arxiv", "--from", str(training), "--activate")
        jobs.append(last_job_line(site.manage("reclassify", "--corpus", "bench", "--wait").stdout))
    finally:
        peaks = sampler.stop()
        stop_gracefully(worker, timeout=60)
        site.remove()
    figures = {
        "encoder": args.encoder,
        "worker_processes": args.concurrency,
        "cores": len(os.sched_getaffinity(0)),
        "jobs": jobs,
        "peaks_mib": peaks,
    }
    print(json.dumps(figures, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
