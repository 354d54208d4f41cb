"""Hierarchy-consistent decoding: every prediction comes with its ancestors, scores fall down every path,
and the most specific subjects come first."""

import gzip
import json
from itertools import islice

import numpy as np
import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from classifier.decisions import without_rejected
from classifier.decoding import beam_search, close_over_ancestors
from classifier.loading import zero_shot_model
from classifier.ranking import rank_subjects
from classifier.zeroshot import document_text
from taxonomy.tree import Tree
from tests.conftest import ARXIV_DEV

POLY = Tree(
    parents={"ai": (), "stats": (), "ml": ("ai", "stats"), "dl": ("ml",), "kr": ("ai",), "bayes": ("stats",)}
)
SHORTCUT = Tree(parents={"A": (), "B": ("A",), "C": ("B",), "D": ("A", "C")})  # the issue's example


def assert_consistent(tree: Tree, predictions) -> None:
    """Closed over ancestors, no score rising down a path, ranked 1, 2, ... most specific first: the
    chosen subjects, then the broader ones, each after every subject below it."""
    by_code = {p.code: p for p in predictions}
    leaves = [p.code for p in predictions if p.is_leaf]
    assert leaves, "at least one chosen subject"
    assert set(by_code) == tree.closure(leaves)
    assert [p.rank for p in predictions] == list(range(1, len(predictions) + 1))
    assert all(p.is_leaf for p in predictions[: len(leaves)]), "the chosen subjects come first"
    for code, prediction in by_code.items():
        for ancestor in tree.ancestors(code):
            assert by_code[ancestor].score >= prediction.score
            assert by_code[ancestor].rank > prediction.rank


def test_polyhierarchy_closes_over_every_parent():
    similarity = {"ai": 0.2, "stats": 0.3, "ml": 0.5, "dl": 0.9, "kr": 0.1, "bayes": 0.4}
    chosen = beam_search(POLY, similarity, beam_width=4, top_k=2, temperature=0.05)
    assert {code for code, _ in chosen} == {"dl", "bayes"}
    predictions = close_over_ancestors(POLY, chosen, similarity)
    assert_consistent(POLY, predictions)
    assert {p.code for p in predictions} == {"dl", "ml", "ai", "stats", "bayes"}


def test_ancestors_score_at_least_their_best_leaf():
    predictions = close_over_ancestors(POLY, [("dl", 0.7), ("kr", 0.2)], {"ai": 0.1, "ml": 0.3})
    scores = {p.code: p.score for p in predictions}
    assert scores["ai"] == 0.7 and scores["ml"] == 0.7 and scores["kr"] == 0.2
    assert [p.code for p in predictions][:2] == ["dl", "kr"], "the chosen subjects first, best first"


def test_the_issue_s_example_ranks_the_shortcut_leaf_first_and_raises_every_path():
    predictions = close_over_ancestors(SHORTCUT, [("D", 0.9)], {"A": 0.1, "B": 0.1, "C": 0.2})
    assert [(p.code, p.score, p.rank) for p in predictions] == [
        ("D", 0.9, 1),
        ("C", 0.9, 2),
        ("B", 0.9, 3),
        ("A", 0.9, 4),
    ]


def test_broader_subjects_follow_all_the_chosen_ones_and_each_other_from_specific_to_broad():
    scores = {"ai": 0.9, "stats": 0.8, "ml": 0.8}
    predictions = rank_subjects(POLY, [("dl", 0.8), ("kr", 0.6)], scores)
    assert [p.code for p in predictions] == ["dl", "kr", "ml", "ai", "stats"]
    assert_consistent(POLY, predictions)


def test_a_rejected_subject_takes_what_it_alone_implies_and_the_rest_is_ranked_again():
    predictions = rank_subjects(POLY, [("dl", 0.8), ("bayes", 0.6)], {"ai": 0.8, "stats": 0.8, "ml": 0.8})
    kept = without_rejected(POLY, predictions, {"ml"})
    assert [(p.code, p.rank) for p in kept] == [("bayes", 1), ("stats", 2)]


def test_beam_decoding_on_acm_ccs_is_consistent_for_any_similarities(acm_taxonomy):
    tree = Tree.from_taxonomy(acm_taxonomy)
    codes = sorted(tree.parents)

    @given(st.integers(0, 2**32 - 1), st.integers(1, 5))
    @hypothesis_settings(max_examples=40, deadline=None)
    def check(seed: int, top_k: int) -> None:
        similarity = dict(zip(codes, np.random.default_rng(seed).uniform(-0.2, 0.8, len(codes)).tolist()))
        chosen = beam_search(tree, similarity, beam_width=8, top_k=top_k, temperature=0.05)
        assert chosen and all(code in tree.leaves for code, _ in chosen)
        assert_consistent(tree, close_over_ancestors(tree, chosen, similarity))

    check()


@pytest.mark.slow
def test_zero_shot_predictions_on_real_papers_are_consistent_similarities(arxiv_taxonomy):
    with gzip.open(ARXIV_DEV, "rt") as lines:
        records = [json.loads(line) for line in islice(lines, 40)]
    classifier = zero_shot_model(arxiv_taxonomy)
    texts = [document_text(r["title"], r["abstract"]) for r in records]
    vectors = classifier.encoder.encode(texts)
    predictions = classifier.predict(texts, vectors)
    tree = Tree.from_taxonomy(arxiv_taxonomy)
    similarities = classifier.model.similarities(vectors)
    column = {code: i for i, code in enumerate(classifier.model.codes)}
    for row, document_predictions in zip(similarities, predictions):
        if document_predictions:
            assert_consistent(tree, document_predictions)
        for p in document_predictions:
            assert p.score == pytest.approx(row[column[p.code]]), "a subject's score is its cosine similarity"
            assert p.score >= settings.CLASSIFIER_SUGGESTION_FLOOR or not p.is_leaf
        assert all(p.code in tree.leaves for p in document_predictions if p.is_leaf)
    hits = sum(
        any(p.is_leaf and p.code in r["categories"] for p in ps) for ps, r in zip(predictions, records)
    )
    assert hits >= 10, "zero-shot finds a gold category among its top leaves for a fair share of papers"
