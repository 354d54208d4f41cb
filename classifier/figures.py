"""A trained model's stored validation figures, read back with what they are: on which data, in which
space, over how many documents. Models saved before the figures said so read as unknown there."""

from dataclasses import dataclass

SPACES = {"leaves": "on leaves", "closure": "with ancestors"}
FIGURES = (("P@1", "precision_at_1"), ("micro-F1", "micro_f1"), ("macro-F1", "macro_f1"), ("ECE", "ece"))
UNKNOWN = "unknown"
ZERO_SHOT_NOTE = (
    "zero-shot, an untrained model: its scores are cosine similarities, not probabilities, "
    "and it has no validation figures"
)


@dataclass(frozen=True)
class SpaceFigures:
    """The headline figures in one space (``None``: a model saved before its figures named their space)."""

    space: str | None
    values: dict[str, float]

    @property
    def space_text(self) -> str:
        """The space in words: on leaves, with ancestors, or space unknown."""
        return SPACES.get(self.space or "", f"space {UNKNOWN}")

    def __str__(self) -> str:
        shown = ", ".join(f"{name} {self.values[key]:.3f}" for name, key in FIGURES if key in self.values)
        return f"{self.space_text}: {shown or 'no figures'}"


@dataclass(frozen=True)
class ValidationFigures:
    """What ``evaluate_validation`` stored in a model's ``metrics``, old models' included."""

    data: str | None  # None: not recorded
    documents: int | None
    spaces: list[SpaceFigures]  # the headline space first
    reliability: list[tuple[float, float, int]]  # mean probability, observed frequency, count

    @classmethod
    def of(cls, metrics: dict) -> "ValidationFigures":
        if "figures" in metrics:
            headline = metrics.get("space")
            order = sorted(metrics["figures"], key=lambda space: space != headline)
            spaces = [SpaceFigures(space, metrics["figures"][space]) for space in order]
        else:  # saved before the figures said what they are
            values = {key: metrics[key] for _, key in FIGURES if key in metrics}
            spaces = [SpaceFigures(None, values)] if values else []
        bins = [(float(p), float(frequency), int(n)) for p, frequency, n in metrics.get("reliability", [])]
        return cls(metrics.get("data"), metrics.get("documents"), spaces, bins)

    @property
    def headline(self) -> SpaceFigures | None:
        return self.spaces[0] if self.spaces else None

    @property
    def ece(self) -> float | None:
        return self.headline.values.get("ece") if self.headline else None

    @property
    def data_text(self) -> str:
        """Which documents, and how many: "validation split of F: …; 97 documents"."""
        documents = UNKNOWN if self.documents is None else f"{self.documents:,}"
        return f"{self.data or f'data {UNKNOWN}'}; {documents} documents"
