"""Plain types the classifier hands on, apart from storage."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Prediction:
    """A subject for a document: a leaf the model chose, or an ancestor implied by one."""

    code: str
    score: float
    rank: int
    is_leaf: bool
