"""Does fine-tuning the distilled encoder end to end beat its frozen vectors? Measured on any device.

    python bench/finetune_encoder.py prepare --out DIR      # here: the labelled file and the student
    python bench/finetune_encoder.py run --bundle DIR       # anywhere with torch (a GPU if there is one)
    python bench/finetune_encoder.py unpack --bundle DIR --returned RUN_OUT --out ENCODER_DIR

``prepare`` reads the shared arXiv train file the way ``manage.py train`` does (same texts, labels
and validation split) and writes it with the student's weights in fp16, small enough to travel.
``run`` needs only numpy, torch and sentence-transformers. It fits a linear probe on the frozen
vectors of the training split, fine-tunes the student (``classifier.finetuning``), fits the same
probe on the new vectors, and scores all three on the validation split (P@1, micro-F1 at the best
single threshold). It prints the figures, writes them to ``results.json`` and writes the tuned
encoder's weights and every document's new vector (int8) in parts of at most 15 MiB.
``unpack`` rebuilds the tuned encoder as a sentence-transformers folder and the vectors as .npy,
for ``manage.py train --encoder ENCODER_DIR`` (seed its vector cache with them to skip encoding).
"""

import argparse
import json
import lzma
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(REPO)]
from procs import setup_django  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
TRAIN = SHARED / "corpora" / "arxiv-2025-train.jsonl.gz"
TAXONOMY = SHARED / "taxonomies" / "arxiv-nodes.csv"
PART_BYTES = 15 * 1024 * 1024


def prepare(out: Path) -> None:
    """Texts, labels and validation flags of every record of the train file, and the fp16 student."""
    setup_django()
    from safetensors.torch import load_file, save_file

    from classifier.encoders.torch_encoder import model_path
    from classifier.training.data import validation_split
    from classifier.training.pipeline import VALIDATION_FRACTION
    from jobs.training import read_labelled_file
    from taxonomy.labels import LabelResolver
    from taxonomy.readers import read_nodes
    from taxonomy.tree import Tree

    rows = list(read_nodes(TAXONOMY))
    tree = Tree({r.code: r.parents for r in rows}, {r.code: r.label for r in rows})
    data, positions = read_labelled_file(TRAIN, LabelResolver(tree))
    codes = sorted(set().union(*data.targets))
    labels = np.zeros((len(data), len(codes)), np.uint8)
    for row, targets in enumerate(data.targets):
        labels[row, [codes.index(c) for c in targets]] = 1
    _, validation = validation_split(data.ids, VALIDATION_FRACTION)
    is_validation = np.zeros(len(data), bool)
    is_validation[validation] = True
    out.mkdir(parents=True, exist_ok=True)
    with lzma.open(out / "texts.json.xz", "wt", encoding="utf-8", preset=9) as handle:
        json.dump({"texts": data.texts, "codes": codes}, handle)
    np.savez_compressed(
        out / "labels.npz", labels=labels, validation=is_validation, positions=np.array(positions)
    )
    student = out / "student"
    shutil.copytree(model_path(), student, dirs_exist_ok=True)
    weights = load_file(student / "model.safetensors")
    save_file({name: tensor.half() for name, tensor in weights.items()}, student / "model.safetensors")
    print(f"{len(data)} documents, {len(codes)} subjects, {is_validation.sum()} for validation -> {out}")


def scores(logits: np.ndarray, labels: np.ndarray) -> dict:
    """P@1 and micro-F1 at the best single threshold on the logits."""
    top = logits.argmax(axis=1)
    precision_at_1 = float(labels[np.arange(len(labels)), top].mean())
    order = np.argsort(-logits, axis=None)
    hits = np.cumsum(labels.reshape(-1)[order])
    predicted = np.arange(1, len(order) + 1)
    f1 = 2 * hits / (predicted + labels.sum())
    return {"p_at_1": round(precision_at_1, 4), "micro_f1": round(float(f1.max()), 4)}


def write_parts(out: Path, name: str, data: bytes) -> None:
    for number, first in enumerate(range(0, len(data), PART_BYTES)):
        (out / f"{name}.{number:02d}").write_bytes(data[first : first + PART_BYTES])


def read_parts(folder: Path, name: str) -> bytes:
    return b"".join(part.read_bytes() for part in sorted(folder.glob(f"{name}.[0-9][0-9]")))


def run(bundle: Path, out: Path, epochs: int, limit: int | None) -> None:
    import torch
    from safetensors.torch import save

    from classifier.finetuning import FinetuneOptions, encode, finetune, pick_device, probe_logits

    with lzma.open(bundle / "texts.json.xz", "rt", encoding="utf-8") as handle:
        texts = json.load(handle)["texts"][:limit]
    arrays = np.load(bundle / "labels.npz")
    labels, validation = arrays["labels"][:limit].astype(np.float32), arrays["validation"][:limit]
    train = ~validation
    device = pick_device()
    from sentence_transformers import SentenceTransformer

    student = SentenceTransformer(str(bundle / "student"), device=str(device)).float()
    figures: dict = {"device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu"}
    figures["documents"] = {"train": int(train.sum()), "validation": int(validation.sum())}

    started = time.monotonic()
    frozen = encode(student, texts, device=device)
    figures["encode_docs_per_second"] = round(len(texts) / (time.monotonic() - started), 1)
    figures["frozen_probe"] = scores(
        probe_logits(frozen[train], labels[train], frozen[validation]), labels[validation]
    )
    print("frozen + probe", figures["frozen_probe"], flush=True)

    options = FinetuneOptions(epochs=epochs, alpha=0.0)  # labels only: no teacher travels here
    started = time.monotonic()
    head = finetune(
        student, [t for t, keep in zip(texts, train) if keep], labels[train], options=options, device=device
    )
    figures["finetune_seconds"] = round(time.monotonic() - started, 1)
    figures["options"] = options.__dict__
    tuned = encode(student, texts, device=device)
    with torch.no_grad():
        logits = head(torch.as_tensor(tuned[validation], device=device).float()).float().cpu().numpy()
    figures["tuned_head"] = scores(logits, labels[validation])
    figures["tuned_probe"] = scores(
        probe_logits(tuned[train], labels[train], tuned[validation]), labels[validation]
    )
    print("tuned + its head", figures["tuned_head"], "tuned + probe", figures["tuned_probe"], flush=True)

    out.mkdir(parents=True, exist_ok=True)
    state = {
        k: v.half().contiguous()
        for k, v in student[0].auto_model.state_dict().items()
        if "word_embeddings" not in k
    }
    write_parts(out, "encoder.safetensors", save(state))
    scale = np.abs(tuned).max(axis=0) / 127
    write_parts(out, "vectors.int8", np.round(tuned / scale).astype(np.int8).tobytes())
    np.save(out / "vector-scale.npy", scale.astype(np.float32))
    (out / "results.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


def unpack(bundle: Path, returned: Path, out: Path) -> None:
    """The tuned encoder as a sentence-transformers folder, and its vectors in ``OUT-vectors.npy``."""
    from safetensors.torch import load, load_file, save_file

    from classifier.encoders.torch_encoder import model_path

    shutil.copytree(model_path(), out, dirs_exist_ok=True)
    weights = load_file(out / "model.safetensors")
    weights.update({k: v.float() for k, v in load(read_parts(returned, "encoder.safetensors")).items()})
    save_file(weights, out / "model.safetensors")
    scale = np.load(returned / "vector-scale.npy")
    vectors = np.frombuffer(read_parts(returned, "vectors.int8"), np.int8).reshape(-1, len(scale)) * scale
    np.save(out.with_name(f"{out.name}-vectors.npy"), vectors.astype(np.float32))
    print(f"encoder -> {out}, {len(vectors)} vectors -> {out.name}-vectors.npy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare").add_argument("--out", type=Path, required=True)
    run_parser = commands.add_parser("run")
    run_parser.add_argument("--bundle", type=Path, required=True)
    run_parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", "bench/results/finetune")))
    run_parser.add_argument("--epochs", type=int, default=3)
    run_parser.add_argument("--limit", type=int, help="only the first N documents, for a quick check")
    unpack_parser = commands.add_parser("unpack")
    for name in ("--bundle", "--returned", "--out"):
        unpack_parser.add_argument(name, type=Path, required=True)
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.out)
    elif args.command == "run":
        run(args.bundle, args.out, args.epochs, args.limit)
    else:
        unpack(args.bundle, args.returned, args.out)


if __name__ == "__main__":
    main()
