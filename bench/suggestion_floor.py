"""Choose the zero-shot classifier's suggestion floor on a labelled file's validation split.

    python bench/suggestion_floor.py TAXONOMY_FILE LABELLED_FILE [--documents 1500] [--name NAME]

The zero-shot classifier stores the leaves its beam chose whose cosine similarity reaches
``CLASSIFIER_SUGGESTION_FLOOR``. On the validation split of the file (the hashed tenth that training
holds out, never a test split), for every floor on a grid: micro precision, recall and F1 of the
stored subjects against the gold ones (leaves, or subjects with their ancestors where the gold
labels are not all leaves), and the share of documents left without a subject. The floor with the
best micro-F1 (the lowest among equals) is the one to set. Also the "even" similarity, where a
suggestion is as likely right as wrong (a logistic fit of being right on the similarity, over
every suggestion the beam chose), which the review queue takes for a probability's 50%
(``REVIEW_EVEN_SIMILARITY``). Prints the table and writes it to bench/results/suggestion_floor-NAME.json.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(REPO)]
RESULTS = REPO / "bench" / "results"
GRID = np.round(np.arange(0.0, 0.61, 0.01), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("taxonomy", type=Path)
    parser.add_argument("file", type=Path)
    parser.add_argument("--documents", type=int, default=1500, help="the first this many of the split")
    parser.add_argument("--name", default="", help="names the results file (default: the file's)")
    args = parser.parse_args()

    from procs import setup_django

    setup_django()

    from django.conf import settings

    from classifier.encoders import get_encoder
    from classifier.metrics import micro_prf
    from classifier.training.data import validation_split
    from classifier.training.pipeline import VALIDATION_FRACTION
    from classifier.zeroshot import ZeroShotModel
    from jobs.training import read_labelled_file
    from taxonomy.actions import validate_rows
    from taxonomy.labels import LabelResolver
    from taxonomy.readers import read_nodes

    _, tree = validate_rows(read_nodes(args.taxonomy), args.taxonomy.name)
    data, _ = read_labelled_file(args.file, LabelResolver(tree))
    _, held_out = validation_split(data.ids, VALIDATION_FRACTION)
    validation = data.subset(held_out[: args.documents])
    encoder = get_encoder(settings.CLASSIFIER_ENCODER)
    model = ZeroShotModel.build(
        tree, encoder, beam_width=settings.CLASSIFIER_BEAM_WIDTH, top_k=settings.CLASSIFIER_TOP_K
    )
    ranked = model.ranked(encoder.encode(validation.texts))

    leaves = all(code in tree.leaves for gold in validation.targets for code in gold)
    in_space = (lambda codes: set(codes)) if leaves else tree.closure
    gold = [in_space(g) for g in validation.targets]
    rows = []
    for floor in GRID:
        stored = [in_space(c for c, s in r if s >= floor) for r in ranked]
        precision, recall, f1 = micro_prf(stored, gold)
        unplaced = sum(not s for s in stored) / len(stored)
        rows.append(
            {"floor": float(floor), "precision": precision, "recall": recall, "f1": f1, "unplaced": unplaced}
        )
    best = max(rows, key=lambda row: (round(row["f1"], 4), -row["floor"]))
    for row in rows[::5]:
        print(" ".join(f"{k} {v:.3f}" for k, v in row.items()))
    print(f"best: {' '.join(f'{k} {v:.3f}' for k, v in best.items())}")
    even = even_similarity(ranked, gold)
    print(f"even similarity (suggestions right half the time): {even:.3f}")
    figures = {
        "taxonomy": args.taxonomy.name,
        "file": args.file.name,
        "documents": len(validation),
        "space": "leaves" if leaves else "closure",
        "encoder": encoder.name,
        "top_k": settings.CLASSIFIER_TOP_K,
        "best": best,
        "even_similarity": even,
        "grid": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"suggestion_floor-{args.name or args.file.name.split('.')[0]}.json"
    out.write_text(json.dumps(figures, indent=2))
    print(f"wrote {out}")


def even_similarity(ranked: list[list[tuple[str, float]]], gold: list[set[str]]) -> float:
    """The similarity at which a chosen leaf is right half the time: where a logistic fit of being
    right on the similarity crosses 50%."""
    from sklearn.linear_model import LogisticRegression

    pairs = [(score, code in g) for r, g in zip(ranked, gold) for code, score in r]
    scores, right = np.array([[s] for s, _ in pairs]), np.array([r for _, r in pairs])
    fit = LogisticRegression(C=1e6).fit(scores, right)
    return float(-fit.intercept_[0] / fit.coef_[0][0])


if __name__ == "__main__":
    main()
