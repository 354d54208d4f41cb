"""Hierarchy-consistent decoding: top-down beam search over the taxonomy.

A node's score is the product of sibling-softmax probabilities along its path, so scores
never rise going down a path. The chosen leaves are returned with all their ancestors.
"""

import numpy as np

from classifier.types import Prediction
from taxonomy.tree import Tree


def _softmax(values: np.ndarray, temperature: float) -> np.ndarray:
    shifted = (values - values.max()) / temperature
    weights = np.exp(shifted)
    return weights / weights.sum()


def beam_decode(
    tree: Tree,
    similarity: dict[str, float],
    *,
    beam_width: int,
    top_k: int,
    temperature: float,
) -> list[Prediction]:
    """Walk down from the roots keeping the ``beam_width`` most probable nodes at each step."""
    reached: dict[str, float] = {}
    leaves: dict[str, float] = {}
    frontier = _expand(tree, tree.roots, 1.0, similarity, temperature)
    while frontier:
        best = sorted(frontier.items(), key=lambda item: -item[1])[:beam_width]
        frontier = {}
        for code, probability in best:
            reached[code] = max(reached.get(code, 0.0), probability)
            children = tree.children[code]
            if not children:
                leaves[code] = max(leaves.get(code, 0.0), probability)
                continue
            for child, p in _expand(tree, children, probability, similarity, temperature).items():
                frontier[child] = max(frontier.get(child, 0.0), p)
    chosen = sorted(leaves.items(), key=lambda item: -item[1])[:top_k]
    return close_over_ancestors(tree, chosen, reached)


def _expand(
    tree: Tree,
    codes: tuple[str, ...],
    parent_probability: float,
    similarity: dict[str, float],
    temperature: float,
) -> dict[str, float]:
    probabilities = _softmax(np.array([similarity[c] for c in codes]), temperature)
    return {code: parent_probability * float(p) for code, p in zip(codes, probabilities, strict=False)}


def close_over_ancestors(
    tree: Tree, chosen: list[tuple[str, float]], reached: dict[str, float] | None = None
) -> list[Prediction]:
    """Add every ancestor of the chosen leaves, scored at least as high as its best leaf."""
    reached = reached or {}
    predictions: dict[str, Prediction] = {}
    for rank, (leaf, score) in enumerate(chosen, start=1):
        predictions[leaf] = Prediction(leaf, score, rank, is_leaf=True)
        for ancestor in tree.ancestors(leaf):
            ancestor_score = max(score, reached.get(ancestor, 0.0))
            known = predictions.get(ancestor)
            if known is None or (not known.is_leaf and ancestor_score > known.score):
                predictions[ancestor] = Prediction(
                    ancestor, ancestor_score, known.rank if known else rank, is_leaf=False
                )
    return sorted(predictions.values(), key=lambda p: (p.rank, not p.is_leaf, -p.score))
