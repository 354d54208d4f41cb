"""Which subjects a trained model may accept without review: the accept threshold, chosen where the
top subjects it lets through reach a stated precision, and how many documents that covers."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from classifier.types import Prediction


@dataclass(frozen=True)
class Acceptance:
    """How many documents' top subjects are accepted on their own, and how often rightly."""

    threshold: float | None  # None: nothing is accepted without review
    share: float  # of all the documents, those whose top subject reaches the threshold
    precision: float | None  # of those top subjects, the share that is right; None when there are none

    def as_metrics(self) -> dict[str, float | None]:
        """The figures as a model's validation metrics keep them."""
        return {
            "accept_threshold": self.threshold,
            "accepted_share": round(self.share, 4),
            "accepted_precision": None if self.precision is None else round(self.precision, 4),
        }


def top_subjects(decided: Sequence[Sequence[Prediction]]) -> list[Prediction | None]:
    """Each document's top subject: the most specific subject the model chose, with the best score
    (first in a decision's order); None where the model placed the document nowhere."""
    return [predictions[0] if predictions else None for predictions in decided]


def acceptance(tops: Sequence[Prediction | None], gold: Sequence[set[str]], threshold: float) -> Acceptance:
    """The share of documents whose top subject reaches ``threshold``, and the precision of those
    top subjects against ``gold`` (each document's right subjects, in the space being scored)."""
    right = [
        top.code in codes for top, codes in zip(tops, gold) if top is not None and top.score >= threshold
    ]
    return Acceptance(
        threshold=None if math.isinf(threshold) else threshold,
        share=len(right) / max(len(tops), 1),
        precision=float(np.mean(right)) if right else None,
    )


def accept_threshold(tops: Sequence[Prediction | None], gold: Sequence[set[str]], precision: float) -> float:
    """The lowest score from which the top subjects reach ``precision`` against ``gold``; infinity
    (nothing accepted) where no score does."""
    placed = [(top.score, top.code in codes) for top, codes in zip(tops, gold) if top is not None]
    if not placed:
        return math.inf
    scores, right = (np.array(column) for column in zip(*sorted(placed, reverse=True)))
    reached = np.cumsum(right) / np.arange(1, len(right) + 1) >= precision
    last_of_score = np.r_[scores[1:] != scores[:-1], True]  # a threshold takes every tie of its score
    candidates = np.flatnonzero(reached & last_of_score)
    return float(scores[candidates[-1]]) if len(candidates) else math.inf
