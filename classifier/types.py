"""Plain types the classifier hands on, apart from storage."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Prediction:
    """A subject for a document: a leaf the model chose, or an ancestor implied by one."""

    code: str
    score: float
    rank: int
    is_leaf: bool


class Readable(Protocol):
    """What the classifier reads of a stored document."""

    id: int
    title: str
    abstract: str
    full_text: str
    content_hash: str
