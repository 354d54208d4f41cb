"""Hierarchy-consistent decoding: top-down beam search over the taxonomy.

A path's probability is the product of sibling-softmax probabilities along it; a node reached on
several paths (a polyhierarchy) keeps its best. The chosen leaves come back with all their
ancestors, scored so that no score rises going down any path.
"""

from collections.abc import Mapping

import numpy as np

from classifier.ranking import rank_subjects
from classifier.types import Prediction
from taxonomy.tree import Tree


def _softmax(values: np.ndarray, temperature: float) -> np.ndarray:
    shifted = (values - values.max()) / temperature
    weights = np.exp(shifted)
    return weights / weights.sum()


def beam_search(
    tree: Tree,
    similarity: dict[str, float],
    *,
    beam_width: int,
    top_k: int,
    temperature: float,
) -> list[tuple[str, float]]:
    """The ``top_k`` most probable leaves with their path probabilities, best first, walking down
    from the roots and keeping the ``beam_width`` most probable nodes at each step."""
    leaves: dict[str, float] = {}
    frontier = _expand(tree, tree.roots, 1.0, similarity, temperature)
    while frontier:
        best = sorted(frontier.items(), key=lambda item: -item[1])[:beam_width]
        frontier = {}
        for code, probability in best:
            children = tree.children[code]
            if not children:
                leaves[code] = max(leaves.get(code, 0.0), probability)
                continue
            for child, p in _expand(tree, children, probability, similarity, temperature).items():
                frontier[child] = max(frontier.get(child, 0.0), p)
    return sorted(leaves.items(), key=lambda item: -item[1])[:top_k]


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
    tree: Tree, chosen: list[tuple[str, float]], scores: Mapping[str, float]
) -> list[Prediction]:
    """The chosen subjects (best first) with every ancestor, most specific first. An ancestor scores
    its own score in ``scores`` (0 where it has none), raised where needed so that it is at least
    each subject below it."""
    codes = sorted(tree.closure(code for code, _ in chosen))
    given = {**scores, **dict(chosen)}
    raised = tree.consistent(codes, np.array([[given.get(code, 0.0) for code in codes]]))[0]
    closed = dict(zip(codes, raised.tolist()))
    return rank_subjects(tree, [(code, closed[code]) for code, _ in chosen], closed)
