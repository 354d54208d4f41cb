"""Write an evaluation to disk: a JSON summary, a per-subject CSV and PNG plots."""

import csv
import json
from pathlib import Path

import numpy as np

from classifier.evaluation import Confusion, Evaluation
from classifier.figures import SPACES
from taxonomy.tree import Tree


def write_report(evaluation: Evaluation, tree: Tree, folder: Path) -> list[Path]:
    """Write summary.json, subjects.csv, reliability.png, levels.png and a confusion-level-N.png for
    each of the top levels; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    summary = folder / "summary.json"
    summary.write_text(json.dumps(evaluation.summary(), indent=2) + "\n")
    subjects = folder / "subjects.csv"
    with subjects.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "label", "support", "precision", "recall", "f1"])
        for code, (support, precision, recall, f1) in sorted(
            evaluation.per_subject.items(), key=lambda i: -i[1][0]
        ):
            writer.writerow(
                [code, tree.labels.get(code, ""), support, f"{precision:.4f}", f"{recall:.4f}", f"{f1:.4f}"]
            )
    return [summary, subjects, *_plots(evaluation, folder)]


def _plots(evaluation: Evaluation, folder: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    reliability = folder / "reliability.png"
    figure, axis = pyplot.subplots(figsize=(4.5, 4.5))
    axis.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    if evaluation.reliability:
        confidence, accuracy, counts = zip(*evaluation.reliability)
        axis.plot(confidence, accuracy, marker="o", label="Shelfmark")
        for x, y, n in evaluation.reliability:
            axis.annotate(str(n), (x, y), fontsize=7, textcoords="offset points", xytext=(4, -10))
    ece = evaluation.shelfmark.expected_calibration_error
    axis.set(xlabel="predicted probability", ylabel="observed precision", xlim=(0, 1), ylim=(0, 1))
    what = f"{evaluation.file}, {evaluation.shelfmark.documents} documents, {SPACES[evaluation.space]}"
    heading = f"Reliability (ECE {ece:.3f})" if ece is not None else "Reliability"
    axis.set_title(f"{heading}\n{what}", fontsize=9)
    axis.legend(loc="upper left")
    figure.tight_layout()
    figure.savefig(reliability, dpi=120)

    levels = folder / "levels.png"
    figure, axis = pyplot.subplots(figsize=(4.5, 3.2))
    depths = list(evaluation.per_level_accuracy)
    axis.bar(
        [str(d + 1) for d in depths], [evaluation.per_level_accuracy[d] for d in depths], color="#3b6ea8"
    )
    axis.set(xlabel="taxonomy level", ylabel="top-1 accuracy", ylim=(0, 1), title="Accuracy per level")
    figure.tight_layout()
    figure.savefig(levels, dpi=120)
    pyplot.close("all")
    return [reliability, levels, *(_confusion_plot(c, folder, pyplot) for c in evaluation.confusion)]


def _confusion_plot(confusion: Confusion, folder: Path, pyplot) -> Path:
    """A heat map of one level's confusion, each gold row as shares of its documents."""
    counts = np.array(confusion.counts, dtype=float)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    path = folder / f"confusion-level-{confusion.depth + 1}.png"
    size = 2.5 + 0.35 * len(confusion.predicted)
    figure, axis = pyplot.subplots(figsize=(size + 1, size))
    image = axis.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    axis.set_xticks(range(len(confusion.predicted)), confusion.predicted, rotation=90, fontsize=7)
    axis.set_yticks(range(len(confusion.gold)), confusion.gold, fontsize=7)
    for (row, column), count in np.ndenumerate(counts):
        if count:
            colour = "white" if shares[row, column] > 0.6 else "black"
            axis.text(column, row, int(count), ha="center", va="center", fontsize=6, color=colour)
    axis.set(xlabel="predicted", ylabel="gold", title=f"Level {confusion.depth + 1}: gold against predicted")
    figure.colorbar(image, ax=axis, fraction=0.04, label="share of the gold row")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    pyplot.close(figure)
    return path
