"""Each encoder of the registry on the same abstracts: speed, work, share of the peak, memory, agreement.

    python bench/encoders.py [--documents 512] [--threads 2] [--encoders onnx-fp32,onnx-int8:FOLDER,...]
        [--busy-ok]

Every encoder runs in a process of its own (so its peak RSS is its own), with ``--threads``
threads, on the first ``--documents`` papers of the shared arXiv dev file, after a warm-up batch
(an ONNX export, when one is needed, happens before the clock starts). Its work is the GFLOP of
its transformer's matrix products (``flops.gflop``: its own config, each document's tokens from
its own tokenizer), so GFLOP/s compares encoders of different sizes; the share is that over the
peak of the precision it ran in, measured in the same run on as many threads (``peaks``; int8
graphs keep attention's own products, about a tenth of the work, in fp32).
Agreement is the cosine of each document's vector to the ``torch-fp32`` one (the shipped
encoder's: for a student of it, how closely it follows its teacher). The machine's load over the
run is measured too (``load``): if other processes took a share of it, the figures are not the
machine's and bench/results/encoders.json is not written (exit status 1) unless ``--busy-ok``,
which writes it marked busy. Prints the figures and writes them to bench/results/encoders.json.
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
from flops import gflop, transformer_shape  # noqa: E402
from load import Watch  # noqa: E402
from peaks import measure as measure_peaks  # noqa: E402

from classifier.encoders.base import CHARS_PER_TOKEN, Encoder  # noqa: E402

DEV = REPO.parent / "shared" / "data" / "corpora" / "arxiv-2025-dev.jsonl.gz"
ENCODERS = "torch-fp32,torch-bf16,onnx-fp32,onnx-int8"
RESULTS = REPO / "bench" / "results"


def abstracts(count: int) -> list[str]:
    with gzip.open(DEV, "rt", encoding="utf-8") as lines:
        return [f"{r['title']}. {r['abstract']}" for r in map(json.loads, islice(lines, count))]


def token_counts(encoder: Encoder, texts: list[str]) -> list[int]:
    """The tokens each text gives the encoder's model, from its own tokenizer, cut as it cuts."""
    from classifier.encoders.onnx_encoder import OnnxEncoder

    limit = encoder.max_tokens * CHARS_PER_TOKEN
    texts = [text[:limit] for text in texts]
    if isinstance(encoder, OnnxEncoder):  # a tokenizers.Tokenizer truncating at max_tokens
        return [len(encoder.tokenizer.encode(text.strip()).ids) for text in texts]
    return encoder.model.tokenize(texts)["attention_mask"].sum(dim=1).tolist()


def work(name: str, encoder: Encoder, texts: list[str], seconds: float) -> dict:
    """The encoder's transformer shape, tokens and GFLOP per text, and GFLOP/s over ``seconds``."""
    from classifier.encoders.torch_encoder import model_path

    shape = transformer_shape(Path(name.partition(":")[2] or model_path()))
    tokens = token_counts(encoder, texts)
    total = sum(gflop(count, **shape) for count in tokens)
    return shape | {
        "tokens_per_document": round(float(np.mean(tokens)), 1),
        "gflop_per_document": round(total / len(texts), 2),
        "gflop_per_second": round(total / seconds, 1),
    }


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
    peak_rss = peak_rss_mib(os.getpid())
    np.save(out, vectors)
    figures = {
        "encoder": name,
        "ran_as": encoder.name,
        "precision": encoder.name.rsplit("/", 1)[-1].removeprefix("onnx-"),  # what ran: bf16 may fall back
        "documents": count,
        "seconds": round(seconds, 2),
        "documents_per_second": round(count / seconds, 1),
        **work(name, encoder, texts, seconds),
        "peak_rss_mib": round(peak_rss, 1),
        "torch_imported": "torch" in sys.modules,
    }
    print(json.dumps(figures))


def run_encoders(names: list[str], count: int, threads: int) -> tuple[list[dict], dict[str, np.ndarray]]:
    """Each encoder's figures and vectors, each measured in a child process."""
    rows, vectors = [], {}
    for name in names:
        out = RESULTS / f"vectors-{len(rows)}.npy"  # a name may hold a folder
        command = [sys.executable, __file__, "--measure", name, "--vectors", str(out)]
        command += ["--documents", str(count), "--threads", str(threads)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        vectors[name] = np.load(out)
        out.unlink()
    return rows, vectors


def compare(row: dict, vectors: dict[str, np.ndarray], peaks: dict[str, float]) -> None:
    """Add to ``row`` its cosines to torch-fp32 and its share of its precision's peak."""
    cosines = (vectors[row["encoder"]] * vectors["torch-fp32"]).sum(axis=1)
    row["cosine_to_torch_fp32_min"] = round(float(cosines.min()), 5)
    row["cosine_to_torch_fp32_mean"] = round(float(cosines.mean()), 5)
    row["peak_gflop_per_second"] = peaks[row["precision"]]
    row["share_of_peak"] = round(row["gflop_per_second"] / peaks[row["precision"]], 3)


def print_table(rows: list[dict]) -> None:
    """One line per encoder; the peak column names the precision it is of."""
    width = max(len(row["encoder"]) for row in rows)
    print(
        f"{'encoder':<{width}} {'ran as':<28} {'docs/s':>7} {'GFLOP/doc':>9} {'GFLOP/s':>8} "
        f"{'peak GFLOP/s':>17} {'share':>6} {'RSS MiB':>8} {'cosine min / mean':>17}"
    )
    for row in rows:
        peak = f"{row['precision']} {row['peak_gflop_per_second']:.1f}"
        print(
            f"{row['encoder']:<{width}} {row['ran_as']:<28} {row['documents_per_second']:7.1f} "
            f"{row['gflop_per_document']:9.2f} {row['gflop_per_second']:8.1f} {peak:>17} "
            f"{row['share_of_peak']:6.1%} {row['peak_rss_mib']:8.1f} "
            f"{row['cosine_to_torch_fp32_min']:.5f} / {row['cosine_to_torch_fp32_mean']:.5f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=512)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--encoders", default=ENCODERS)
    parser.add_argument("--busy-ok", action="store_true", help="write the figures of a busy machine")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child's side
    parser.add_argument("--vectors", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.documents, args.threads, args.vectors)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    names = ["torch-fp32", *[n for n in args.encoders.split(",") if n != "torch-fp32"]]
    with Watch() as load:
        rows, vectors = run_encoders(names, args.documents, args.threads)
        peaks = measure_peaks(sorted({row["precision"] for row in rows}), args.threads)
    for row in rows:
        compare(row, vectors, peaks)
    print_table(rows)
    print(load.summary())
    out = RESULTS / "encoders.json"
    load.refuse_if_busy(args.busy_ok, out)
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    report = {"cpu": cpu, "threads": args.threads, "peak_gflop_per_second": peaks, **load.report()}
    out.write_text(json.dumps(report | {"encoders": rows}, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
