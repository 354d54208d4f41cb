"""Quality metrics of subject predictions against gold labels.

Each document contributes a ranked list of codes with probabilities (best first) and a
predicted set (what the model would assign); gold is a set of codes.
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MACRO_MIN_SUPPORT = 20
ECE_BINS = 10


@dataclass(frozen=True)
class Scores:
    documents: int
    precision_at_1: float
    precision_at_3: float
    f1_at_5: float
    ndcg_at_5: float
    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_f1: float
    expected_calibration_error: float | None  # None: the scores are not probabilities


def precision_at(ranked: Sequence[Sequence[str]], gold: Sequence[set[str]], k: int) -> float:
    """Mean share of the top ``k`` codes that are gold."""
    return float(np.mean([sum(c in g for c in r[:k]) / k for r, g in zip(ranked, gold)])) if gold else 0.0


def f1_at(ranked: Sequence[Sequence[str]], gold: Sequence[set[str]], k: int) -> float:
    """Mean per-document F1 of the top ``k`` codes against gold."""
    scores = []
    for r, g in zip(ranked, gold):
        hits = len(set(r[:k]) & g)
        scores.append(2 * hits / (len(set(r[:k])) + len(g)) if hits else 0.0)
    return float(np.mean(scores)) if scores else 0.0


def ndcg_at(ranked: Sequence[Sequence[str]], gold: Sequence[set[str]], k: int) -> float:
    """Mean normalised discounted cumulative gain of the top ``k`` with binary relevance."""
    values = []
    for r, g in zip(ranked, gold):
        dcg = sum(1 / math.log2(i + 2) for i, c in enumerate(r[:k]) if c in g)
        ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(g))))
        values.append(dcg / ideal if ideal else 0.0)
    return float(np.mean(values)) if values else 0.0


def micro_prf(predicted: Sequence[set[str]], gold: Sequence[set[str]]) -> tuple[float, float, float]:
    """Micro-averaged precision, recall and F1 of predicted sets."""
    tp = sum(len(p & g) for p, g in zip(predicted, gold))
    n_predicted = sum(len(p) for p in predicted)
    n_gold = sum(len(g) for g in gold)
    precision = tp / n_predicted if n_predicted else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def per_subject_f1(
    predicted: Sequence[set[str]], gold: Sequence[set[str]]
) -> dict[str, tuple[int, float, float, float]]:
    """For each gold or predicted code: (support, precision, recall, F1)."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for p, g in zip(predicted, gold):
        tp.update(p & g)
        fp.update(p - g)
        fn.update(g - p)
    result = {}
    for code in set(tp) | set(fp) | set(fn):
        precision = tp[code] / (tp[code] + fp[code]) if tp[code] + fp[code] else 0.0
        recall = tp[code] / (tp[code] + fn[code]) if tp[code] + fn[code] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[code] = (tp[code] + fn[code], precision, recall, f1)
    return result


def macro_f1(
    predicted: Sequence[set[str]], gold: Sequence[set[str]], min_support: int = MACRO_MIN_SUPPORT
) -> float:
    """Mean F1 over codes with at least ``min_support`` gold documents."""
    scores = [f1 for support, _, _, f1 in per_subject_f1(predicted, gold).values() if support >= min_support]
    return float(np.mean(scores)) if scores else 0.0


def expected_calibration_error(
    probabilities: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS
) -> float:
    """Gap between confidence and accuracy, averaged over equal-width probability bins."""
    p = np.asarray(probabilities, dtype=float)
    y = np.asarray(correct, dtype=float)
    if not len(p):
        return 0.0
    which = np.minimum((p * bins).astype(int), bins - 1)
    return float(
        sum(
            abs(p[which == b].mean() - y[which == b].mean()) * (which == b).sum()
            for b in range(bins)
            if (which == b).any()
        )
        / len(p)
    )


def score_predictions(
    ranked: Sequence[Sequence[tuple[str, float]]],
    predicted: Sequence[set[str]],
    gold: Sequence[set[str]],
    calibrated: bool = True,
) -> Scores:
    """All the headline figures for one set of predictions; ECE only for probabilities."""
    if not len(ranked) == len(predicted) == len(gold):
        raise ValueError("ranked, predicted and gold differ in length")
    codes = [[c for c, _ in r] for r in ranked]
    precision, recall, f1 = micro_prf(predicted, gold)
    top5 = [(p, c in g) for r, g in zip(ranked, gold) for c, p in r[:5]]
    return Scores(
        documents=len(gold),
        precision_at_1=precision_at(codes, gold, 1),
        precision_at_3=precision_at(codes, gold, 3),
        f1_at_5=f1_at(codes, gold, 5),
        ndcg_at_5=ndcg_at(codes, gold, 5),
        micro_precision=precision,
        micro_recall=recall,
        micro_f1=f1,
        macro_f1=macro_f1(predicted, gold),
        expected_calibration_error=expected_calibration_error([p for p, _ in top5], [c for _, c in top5])
        if calibrated
        else None,
    )


def reliability(
    probabilities: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS
) -> list[tuple[float, float, int]]:
    """Per probability bin: mean confidence, accuracy and count (for a reliability diagram)."""
    p = np.asarray(probabilities, dtype=float)
    y = np.asarray(correct, dtype=float)
    which = np.minimum((p * bins).astype(int), bins - 1)
    return [
        (float(p[which == b].mean()), float(y[which == b].mean()), int((which == b).sum()))
        for b in range(bins)
        if (which == b).any()
    ]
