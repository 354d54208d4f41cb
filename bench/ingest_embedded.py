"""Ingest a JSONL corpus on the embedded default and report documents per second and peak RSS.

    python bench/ingest_embedded.py [--file ../shared/data/corpora/arxiv-2025-dev.jsonl.gz]
        [--model demo/arxiv-model.joblib | --zero-shot] [--busy-ok]

Runs in a fresh folder (SQLite, SQLite FTS5, filesystem broker) with one worker of
``--concurrency`` processes, through the same `manage.py ingest` a librarian would use, after a
warm-up job has loaded the model: the trained arXiv model a fresh install switches on, unless
another is named or ``--zero-shot``. Prints the figures and the machine's load over the run
(``load``) and writes them to bench/results/ingest_embedded.json, unless other processes took a
share of the machine (exit status 1; ``--busy-ok`` writes them marked busy).
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_scale import REPO, WARMUP, Site, add_model_options, measure_file, model_option  # noqa: E402
from load import Watch  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=WARMUP)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "ingest_embedded.json")
    parser.add_argument("--busy-ok", action="store_true", help="write the figures of a busy machine")
    add_model_options(parser)
    args = parser.parse_args()

    with Watch() as load:
        site = Site(args.concurrency, model=model_option(args))
        figures = measure_file(site, args.file.resolve(), args.concurrency)
    figures |= {"worker_processes": args.concurrency, "cores": len(os.sched_getaffinity(0))}
    figures |= {"model": str(model_option(args) or "zero-shot")}
    figures |= load.report()
    print(json.dumps(figures, indent=2))
    print(load.summary())
    load.refuse_if_busy(args.busy_ok, args.out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
