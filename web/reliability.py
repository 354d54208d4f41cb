"""A reliability diagram drawn from a model's stored bins as SVG coordinates, for the template to draw:
ten points at most, no plotting library in the web process."""

from dataclasses import dataclass

from classifier.metrics import ECE_BINS

SIDE = 300  # the plot's side, in SVG units
MARGIN = 48  # room for the axes' ticks and labels
LARGEST_DOT = 9.0
TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


@dataclass(frozen=True)
class Dot:
    predicted: float  # the bin's mean predicted probability
    observed: float  # how often its subjects were right
    count: int
    x: float
    y: float
    radius: float  # area grows with the count


@dataclass(frozen=True)
class Tick:
    value: float
    x: float  # where it sits along the x axis
    y: float  # and along the y axis


@dataclass(frozen=True)
class Chart:
    dots: list[Dot]
    ticks: list[Tick]
    size: int = SIDE + 2 * MARGIN
    margin: int = MARGIN
    far: int = SIDE + MARGIN  # the plot's right and bottom edge
    centre: int = MARGIN + SIDE // 2

    @property
    def line(self) -> str:
        """The dots joined, as an SVG polyline's points."""
        return " ".join(f"{dot.x},{dot.y}" for dot in self.dots)


def reliability_chart(bins: list[tuple[float, float, int]]) -> Chart:
    """Each bin (mean predicted probability, observed frequency, count) placed on the plot: predicted
    along x, observed up y, so a calibrated model's dots lie on the diagonal."""
    bins = sorted(bins)[:ECE_BINS]
    largest = max((n for *_, n in bins), default=1)
    dots = [
        Dot(p, observed, n, _x(p), _y(observed), round(max(2.5, LARGEST_DOT * (n / largest) ** 0.5), 1))
        for p, observed, n in bins
    ]
    return Chart(dots, [Tick(value, _x(value), _y(value)) for value in TICKS])


def _x(value: float) -> float:
    return round(MARGIN + SIDE * min(max(value, 0.0), 1.0), 1)


def _y(value: float) -> float:
    return round(MARGIN + SIDE * (1 - min(max(value, 0.0), 1.0)), 1)
