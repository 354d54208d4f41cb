"""Quality metrics of subject predictions against gold labels."""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    documents: int
    precision_at_1: float
    micro_precision: float
    micro_recall: float
    micro_f1: float


def score_predictions(predicted: Sequence[Sequence[str]], gold: Sequence[set[str]]) -> Scores:
    """P@1 of the first predicted code and micro-averaged P/R/F1 of the predicted sets."""
    if len(predicted) != len(gold):
        raise ValueError("predicted and gold differ in length")
    hits_at_1 = sum(bool(p) and p[0] in g for p, g in zip(predicted, gold))
    true_positives = sum(len(set(p) & g) for p, g in zip(predicted, gold))
    predicted_total = sum(len(set(p)) for p in predicted)
    gold_total = sum(len(g) for g in gold)
    precision = true_positives / predicted_total if predicted_total else 0.0
    recall = true_positives / gold_total if gold_total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = len(gold)
    return Scores(n, hits_at_1 / n if n else 0.0, precision, recall, f1)
