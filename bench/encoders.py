"""Each encoder of the registry on the same abstracts: documents per second, peak RSS, agreement.

    python bench/encoders.py [--documents 512] [--threads 2] [--encoders onnx-fp32,onnx-int8:FOLDER,...]

Every encoder runs in a process of its own (so its peak RSS is its own), with ``--threads``
threads, on the first ``--documents`` papers of the shared arXiv dev file, after a warm-up batch
(an ONNX export, when one is needed, happens before the clock starts). Agreement is the cosine of
each document's vector to the ``torch-fp32`` one (the shipped encoder's: for a student of it, how
closely it follows its teacher). Prints the figures and writes them to
bench/results/encoders.json.
"""

import argparse
import gzip
import json
import os
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(REPO)]
DEV = REPO.parent / "shared" / "data" / "corpora" / "arxiv-2025-dev.jsonl.gz"
ENCODERS = "torch-fp32,torch-bf16,onnx-fp32,onnx-int8"
RESULTS = REPO / "bench" / "results"


def abstracts(count: int) -> list[str]:
    with gzip.open(DEV, "rt", encoding="utf-8") as lines:
        return [f"{r['title']}. {r['abstract']}" for r in map(json.loads, islice(lines, count))]


def measure(name: str, count: int, threads: int, out: Path) -> None:
    """In this process: load ``name``, encode, save the vectors, print the figures as JSON."""
    from procs import peak_rss_mib, setup_django

    setup_django()

    from classifier.encoders import get_encoder
    from classifier.encoders.base import use_threads

    use_threads(threads)
    texts = abstracts(count)
    encoder = get_encoder(name)
    encoder.encode(texts[:16])
    started = time.perf_counter()
    vectors = encoder.encode(texts)
    seconds = time.perf_counter() - started
    np.save(out, vectors)
    figures = {
        "encoder": name,
        "ran_as": encoder.name,
        "documents": count,
        "documents_per_second": round(count / seconds, 1),
        "peak_rss_mib": round(peak_rss_mib(os.getpid()), 1),
        "torch_imported": "torch" in sys.modules,
    }
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=512)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--encoders", default=ENCODERS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child's side
    parser.add_argument("--vectors", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.documents, args.threads, args.vectors)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    names = ["torch-fp32", *[n for n in args.encoders.split(",") if n != "torch-fp32"]]
    rows, vectors = [], {}
    for name in names:
        out = RESULTS / f"vectors-{len(rows)}.npy"  # a name may hold a folder
        command = [sys.executable, __file__, "--measure", name, "--vectors", str(out)]
        command += ["--documents", str(args.documents), "--threads", str(args.threads)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        vectors[name] = np.load(out)
        out.unlink()
    for row in rows:
        cosines = (vectors[row["encoder"]] * vectors["torch-fp32"]).sum(axis=1)
        row["cosine_to_torch_fp32_min"] = round(float(cosines.min()), 5)
        row["cosine_to_torch_fp32_mean"] = round(float(cosines.mean()), 5)
        print(
            f"{row['encoder']:>11} (ran as {row['ran_as']}): {row['documents_per_second']:6.1f} docs/s, "
            f"peak RSS {row['peak_rss_mib']:6.1f} MiB, cosine to torch-fp32 min {row['cosine_to_torch_fp32_min']}"
            f" mean {row['cosine_to_torch_fp32_mean']}, torch imported: {row['torch_imported']}"
        )
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    report = {"cpu": cpu, "threads": args.threads, "encoders": rows}
    (RESULTS / "encoders.json").write_text(json.dumps(report, indent=2))
    print(f"written to {RESULTS / 'encoders.json'}")


if __name__ == "__main__":
    main()
