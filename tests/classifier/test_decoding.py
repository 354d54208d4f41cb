"""Hierarchy-consistent decoding: every prediction comes with its ancestors, scores fall down a path."""

import gzip
import json
from itertools import islice

import numpy as np
import pytest

from classifier.decoding import beam_decode, close_over_ancestors
from classifier.hybrid import consistent
from classifier.loading import zero_shot_model
from classifier.zeroshot import document_text
from taxonomy.tree import Tree
from tests.conftest import ARXIV_DEV

POLY = Tree(
    parents={"ai": (), "stats": (), "ml": ("ai", "stats"), "dl": ("ml",), "kr": ("ai",), "bayes": ("stats",)}
)


def assert_consistent(tree: Tree, predictions) -> None:
    by_code = {p.code: p for p in predictions}
    leaves = [p.code for p in predictions if p.is_leaf]
    assert leaves, "at least one chosen subject"
    assert set(by_code) == tree.closure(leaves)
    for code, prediction in by_code.items():
        for ancestor in tree.ancestors(code):
            assert by_code[ancestor].score >= prediction.score
            assert by_code[ancestor].rank <= prediction.rank


def test_polyhierarchy_closes_over_every_parent():
    similarity = {"ai": 0.2, "stats": 0.3, "ml": 0.5, "dl": 0.9, "kr": 0.1, "bayes": 0.4}
    predictions = beam_decode(POLY, similarity, beam_width=4, top_k=2, temperature=0.05)
    assert_consistent(POLY, predictions)
    assert {p.code for p in predictions if p.is_leaf} == {"dl", "bayes"}
    assert {p.code for p in predictions} == {"dl", "ml", "ai", "stats", "bayes"}


def test_ancestors_score_at_least_their_best_leaf():
    predictions = close_over_ancestors(POLY, [("dl", 0.7), ("kr", 0.2)], reached={"ai": 0.1})
    scores = {p.code: p.score for p in predictions}
    assert scores["ai"] == 0.7 and scores["ml"] == 0.7 and scores["kr"] == 0.2


def test_bottom_up_max_makes_probabilities_monotone():
    codes = sorted(POLY.parents)
    raw = np.random.default_rng(0).random((50, len(codes)))
    fixed = consistent(POLY, codes, raw)
    position = {c: i for i, c in enumerate(codes)}
    assert (fixed >= raw).all()
    for code, parents in POLY.parents.items():
        for parent in parents:
            assert (fixed[:, position[parent]] >= fixed[:, position[code]]).all()


@pytest.mark.slow
def test_zero_shot_predictions_on_real_papers_are_hierarchy_consistent(arxiv_taxonomy):
    with gzip.open(ARXIV_DEV, "rt") as lines:
        records = [json.loads(line) for line in islice(lines, 40)]
    classifier = zero_shot_model(arxiv_taxonomy)
    texts = [document_text(r["title"], r["abstract"]) for r in records]
    predictions = classifier.predict(texts, classifier.encoder.encode(texts))
    tree = Tree.from_taxonomy(arxiv_taxonomy)
    for document_predictions in predictions:
        assert_consistent(tree, document_predictions)
        assert all(p.code in tree.leaves for p in document_predictions if p.is_leaf)
    hits = sum(
        any(p.is_leaf and p.code in r["categories"] for p in ps) for ps, r in zip(predictions, records)
    )
    assert hits >= 10, "zero-shot finds a gold category among its top leaves for a fair share of papers"
