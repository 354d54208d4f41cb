"""Ingest a JSONL corpus on the embedded default and report documents per second and peak RSS.

    python bench/ingest_embedded.py [--file ../shared/data/corpora/arxiv-2025-dev.jsonl.gz]

Runs in a fresh folder (SQLite, SQLite FTS5, filesystem broker) with one worker of
``--concurrency`` processes, through the same `manage.py ingest` a librarian would use, after a
warm-up job has loaded the model. Prints the figures and writes them to
bench/results/ingest_embedded.json.
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_scale import REPO, WARMUP, Site, measure_file  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=WARMUP)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "ingest_embedded.json")
    args = parser.parse_args()

    figures = measure_file(Site(args.concurrency), args.file.resolve(), args.concurrency)
    figures |= {"worker_processes": args.concurrency, "cores": len(os.sched_getaffinity(0))}
    print(json.dumps(figures, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
