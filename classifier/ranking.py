"""A document's subjects in the order a reader wants them: the most specific first, the broader ones
they imply after them; ``rank`` is the place in that order."""

from collections.abc import Mapping, Sequence

from classifier.types import Prediction
from taxonomy.tree import Tree


def rank_subjects(
    tree: Tree, chosen: Sequence[tuple[str, float]], scores: Mapping[str, float]
) -> list[Prediction]:
    """The chosen subjects with every ancestor, ranked 1, 2, ...: the chosen ones in the order given
    (best first), then the broader ones, each after every subject below it and otherwise in the
    order of the first chosen subject that implies it. Broader subjects are scored from ``scores``."""
    chosen_score = dict(chosen)
    implied_by: dict[str, int] = {}
    for place, (code, _) in enumerate(chosen):
        for ancestor in tree.ancestors(code) - chosen_score.keys():
            implied_by.setdefault(ancestor, place)
    broader = sorted(implied_by, key=lambda code: (implied_by[code], -scores[code], code))
    score = {**scores, **chosen_score}
    return [
        Prediction(code, score[code], rank, is_leaf=code in chosen_score)
        for rank, code in enumerate(tree.specific_first([*chosen_score, *broader]), start=1)
    ]
