"""How far does each encoder take the classifier? The same hybrid on each encoder's vectors, same
papers, same code: the distilled encoder, its students, and the teacher (all-mpnet-base-v2).

    python bench/encoder_quality.py [--encoders onnx-fp32,teacher,onnx-int8:FOLDER] [--every-train 5]
        [--every-eval 2]

Distilling the teacher into the encoder can at best bring the encoder to the teacher, so the
teacher's figures bound what ``manage.py distill --teacher`` can gain; a student
(``distill --student``) is worth its speed only if its figures stay near the encoder's. Each model
is trained with ``fit_hybrid`` on every ``--every-train``-th paper of the arXiv train file's
training split, calibrated on every ``--every-eval``-th of its validation split, and scored
(``evaluate_validation``: P@1, micro- and macro-F1 with ancestors, ECE) on those and on every
``--every-eval``-th paper of the later dev file. A linear probe on each encoder's vectors alone (no
TF-IDF, no neighbours) is scored by P@1 too. ``teacher`` runs on PyTorch (bf16 where the CPU
computes it): about 4.5 papers/s on 2 cores, an hour for the default subsets. Prints the figures
and writes them to bench/results/encoder_quality.json.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(REPO)]
from procs import setup_django  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
TRAIN = SHARED / "corpora" / "arxiv-2025-train.jsonl.gz"
DEV = SHARED / "corpora" / "arxiv-2025-dev.jsonl.gz"
TAXONOMY = SHARED / "taxonomies" / "arxiv-nodes.csv"


def probe_precision_at_1(train_vectors, train_targets, vectors, targets) -> float:
    """P@1 of a one-vs-rest logistic regression on the vectors alone."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import MultiLabelBinarizer

    labels = MultiLabelBinarizer().fit(train_targets)
    probe = OneVsRestClassifier(LogisticRegression(C=10, max_iter=500))
    probe.fit(train_vectors, labels.transform(train_targets))
    best = labels.classes_[probe.decision_function(vectors).argmax(axis=1)]
    return round(float(np.mean([code in gold for code, gold in zip(best, targets)])), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--encoders",
        default="onnx-fp32,teacher",
        help="registry names, comma-separated; teacher: all-mpnet-base-v2",
    )
    parser.add_argument("--every-train", type=int, default=5)
    parser.add_argument("--every-eval", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "encoder_quality.json")
    args = parser.parse_args()
    setup_django()
    from classifier.encoders import get_encoder
    from classifier.evaluation import evaluate_validation
    from classifier.teacher import teacher_folder
    from classifier.training.data import validation_split
    from classifier.training.fitting import fit_hybrid
    from classifier.training.pipeline import VALIDATION_FRACTION
    from classifier.zeroshot import embed_nodes
    from jobs.training import read_labelled_file
    from taxonomy.labels import LabelResolver
    from taxonomy.readers import read_nodes
    from taxonomy.tree import Tree

    rows = list(read_nodes(TAXONOMY))
    tree = Tree({r.code: r.parents for r in rows}, {r.code: r.label for r in rows})
    labelled, _ = read_labelled_file(TRAIN, LabelResolver(tree))
    train, validation = validation_split(labelled.ids, VALIDATION_FRACTION)
    dev, _ = read_labelled_file(DEV, LabelResolver(tree))
    papers = {
        "train": labelled.subset(train[:: args.every_train]),
        "validation": labelled.subset(validation[:: args.every_eval]),
        "dev": dev.subset(list(range(0, len(dev), args.every_eval))),
    }
    figures: dict = {"papers": {name: len(data) for name, data in papers.items()}}
    for name in args.encoders.split(","):
        encoder = get_encoder(f"torch-bf16:{teacher_folder()}" if name == "teacher" else name)
        started = time.monotonic()
        vectors = {split: encoder.encode(data.texts) for split, data in papers.items()}
        encoding = sum(map(len, vectors.values())) / (time.monotonic() - started)
        model = fit_hybrid(
            tree,
            embed_nodes(tree, sorted(tree.parents), encoder),
            papers["train"],
            vectors["train"],
            papers["validation"],
            vectors["validation"],
        )
        figures[name] = {"encoder": encoder.name, "documents_per_second": round(encoding, 2)}
        for split in ("validation", "dev"):
            figures[name][split] = evaluate_validation(model, papers[split], vectors[split], str(TRAIN)) | {
                "probe_precision_at_1": probe_precision_at_1(
                    vectors["train"], papers["train"].targets, vectors[split], papers[split].targets
                )
            }
        print(json.dumps({name: figures[name]}, indent=2), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
