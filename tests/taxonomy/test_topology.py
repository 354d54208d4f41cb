"""Polyhierarchies walked in topological order: scores never rise going down any path, and a list of
subjects puts every subject before the broader ones above it."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taxonomy.actions import import_taxonomy
from taxonomy.tree import Tree
from tests.taxonomy.test_import import write_csv

pytestmark = pytest.mark.django_db
EXAMPLES = settings(max_examples=60, deadline=None)


@pytest.fixture
def shortcut(tmp_path) -> Tree:
    """The issue's example, imported: A → B → C, and D under both A and C."""
    path = write_csv(tmp_path, ["A,,A,", "B,A,B,", "C,B,C,", "D,A|C,D,"])
    return Tree.from_taxonomy(import_taxonomy(path, name="shortcut"))


def raised_to_descendants(tree: Tree, codes: list[str], raw: np.ndarray) -> np.ndarray:
    """What ``consistent`` must give, computed another way: each node's best over itself and every
    node it is an ancestor of."""
    column = {code: i for i, code in enumerate(codes)}
    expected = raw.copy()
    for code in codes:
        for ancestor in tree.ancestors(code):
            expected[:, column[ancestor]] = np.maximum(expected[:, column[ancestor]], raw[:, column[code]])
    return expected


def assert_consistent_scores(tree: Tree, codes: list[str], raw: np.ndarray) -> None:
    fixed = tree.consistent(codes, raw)
    column = {code: i for i, code in enumerate(codes)}
    for code in codes:
        for parent in tree.parents[code]:
            assert (fixed[:, column[parent]] >= fixed[:, column[code]]).all(), (parent, code)
    assert np.array_equal(fixed, raised_to_descendants(tree, codes, raw))


def assert_specific_first(tree: Tree, ordered: list[str]) -> None:
    for place, code in enumerate(ordered):
        assert not tree.ancestors(code) & set(ordered[:place]), f"{code} after a subject above it"


def test_the_issue_s_example_is_raised_along_every_path(shortcut):
    assert shortcut.parents["D"] == ("A", "C")
    assert shortcut.depth("D") < shortcut.depth("C"), "by the first parent's depth, D sits above its parent C"
    order = shortcut.topological_order
    assert order.index("A") < order.index("B") < order.index("C") < order.index("D")
    codes = ["A", "B", "C", "D"]
    fixed = shortcut.consistent(codes, np.array([[0.1, 0.1, 0.1, 0.9]]))
    assert fixed.tolist() == [[0.9, 0.9, 0.9, 0.9]], "B is no longer left at 0.1 below C at 0.9"


def test_any_scores_on_the_issue_s_example_are_made_consistent(shortcut):
    @given(st.lists(st.floats(0, 1), min_size=4, max_size=4))
    @EXAMPLES
    def check(raw: list[float]) -> None:
        assert_consistent_scores(shortcut, ["A", "B", "C", "D"], np.array([raw]))

    check()


def test_a_node_comes_after_its_descendants_in_a_ranked_list(shortcut):
    assert shortcut.specific_first(["A", "B", "D", "C"]) == ["D", "C", "B", "A"]
    assert shortcut.specific_first(["D", "C", "B", "A"]) == ["D", "C", "B", "A"], "a good order stays"


def test_acm_ccs_imports_as_a_polyhierarchy_in_topological_order(acm_taxonomy):
    tree = Tree.from_taxonomy(acm_taxonomy)
    assert len(tree.parents) == 2299 and len(tree.roots) == 14
    assert sum(len(parents) > 1 for parents in tree.parents.values()) == 98
    place = tree.topological_position
    paths: dict[str, int] = {}
    for code in tree.topological_order:  # each node's parents are counted before it
        paths[code] = sum(paths[parent] for parent in tree.parents[code]) or 1
    assert sum(count > 1 for count in paths.values()) == 147, "concepts with more than one path to a root"
    assert sorted(place) == sorted(tree.parents)
    assert all(place[parent] < place[code] for code, parents in tree.parents.items() for parent in parents)
    first_parent_wrong = [
        code for code in tree.parents if any(tree.depth(p) >= tree.depth(code) for p in tree.parents[code])
    ]
    assert first_parent_wrong, "ACM has nodes whose first parent's depth does not order them"


def test_random_scores_on_acm_ccs_never_rise_down_a_path(acm_taxonomy):
    tree = Tree.from_taxonomy(acm_taxonomy)
    codes = sorted(tree.parents)

    @given(
        seed=st.integers(0, 2**32 - 1),
        spikes=st.lists(st.tuples(st.integers(0, len(codes) - 1), st.floats(0, 1)), max_size=30),
    )
    @EXAMPLES
    def check(seed: int, spikes: list[tuple[int, float]]) -> None:
        raw = np.random.default_rng(seed).random((3, len(codes))) * 0.3  # a low background ...
        for column, value in spikes:  # ... and a few high scores anywhere, deep ones included
            raw[:, column] = value
        assert_consistent_scores(tree, codes, raw)

    check()


def test_lists_of_acm_ccs_subjects_put_each_before_the_broader_ones(acm_taxonomy):
    tree = Tree.from_taxonomy(acm_taxonomy)
    codes = sorted(tree.parents)

    @given(st.lists(st.sampled_from(codes), min_size=1, max_size=6), st.randoms(use_true_random=False))
    @EXAMPLES
    def check(chosen: list[str], random) -> None:
        subjects = sorted(tree.closure(chosen))
        random.shuffle(subjects)
        ordered = tree.specific_first(subjects)
        assert sorted(ordered) == sorted(subjects)
        assert_specific_first(tree, ordered)
        assert tree.specific_first(ordered) == ordered

    check()
