"""Evaluate a classifier on labelled documents, next to the TF-IDF baseline, without storing anything."""

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from classifier.acceptance import Acceptance, acceptance, top_subjects
from classifier.baseline import Baseline
from classifier.hybrid import HybridModel
from classifier.loading import LoadedClassifier
from classifier.metrics import Scores, micro_prf, per_subject_f1, reliability, score_predictions
from classifier.training.data import LabelledSet, validation_split
from classifier.training.pipeline import VALIDATION_FRACTION
from classifier.types import Prediction
from library.models import ScoreKind
from taxonomy.models import Taxonomy
from taxonomy.tree import Tree

CONFUSION_LEVELS = 2  # the top levels that get a confusion table
CONFUSION_NODES = 15  # the commonest gold rows of a level shown in it; the rest count as OTHER
OTHER, NONE = "(other)", "(none)"


@dataclass
class Confusion:
    depth: int
    gold: list[str]  # row labels
    predicted: list[str]  # column labels
    counts: list[list[int]]


@dataclass
class Evaluation:
    file: str
    model_version: str
    space: (
        str  # "leaves" when every gold code is a leaf, else "closure" (gold and predictions with ancestors)
    )
    shelfmark: Scores
    baseline: Scores | None
    hierarchical_f1: float
    per_level_accuracy: dict[int, float]
    abstained: int
    accepted: Acceptance  # the documents whose top subject skips review, and how often it is right
    reliability: list[tuple[float, float, int]] = field(default_factory=list)
    confusion: list[Confusion] = field(default_factory=list)
    per_subject: dict[str, tuple[int, float, float, float]] = field(default_factory=dict)

    def ratio(self) -> dict[str, float]:
        """Shelfmark's figure over the baseline's, for every figure both have."""
        if self.baseline is None:
            return {}
        ours, theirs = asdict(self.shelfmark), asdict(self.baseline)
        return {
            name: ours[name] / value
            for name, value in theirs.items()
            if name != "documents" and value and ours[name] is not None
        }

    def summary(self) -> dict:
        """Everything but the per-subject table, with the ratio to the baseline, as plain data for JSON."""
        data = asdict(self)
        data.pop("per_subject")
        data["ratio_to_baseline"] = self.ratio()
        return data


def evaluate(
    taxonomy: Taxonomy,
    classifier: LoadedClassifier,
    name: str,
    data: LabelledSet,
    vectors: np.ndarray,
    baseline_train: LabelledSet | None = None,
) -> Evaluation:
    """Score the classifier on labelled documents (a file's, called ``name``) with their vectors from
    its encoder; fit and score the baseline when given the documents of its training file."""
    tree = Tree.from_taxonomy(taxonomy)
    space = _space_of(tree, data.targets)
    gold = [_in_space(tree, g, space) for g in data.targets]
    ranked = classifier.rank(data.texts, vectors)
    decided = classifier.predict(data.texts, vectors)
    predicted = [_predicted_in_space(tree, ps, space) for ps in decided]
    shelfmark = score_predictions(
        [_ranked_in_space(tree, r, space) for r in ranked],
        predicted,
        gold,
        calibrated=classifier.score_kind == ScoreKind.PROBABILITY,
    )
    baseline = None
    if baseline_train is not None:
        train = _baseline_training_set(tree, baseline_train, space)
        base_ranked, base_assigned = Baseline.fit(train).predict(data.texts)
        baseline = score_predictions(
            [_ranked_in_space(tree, r, space) for r in base_ranked],
            [_in_space(tree, a, space) for a in base_assigned],
            gold,
            calibrated=False,
        )
    closed_gold = [tree.closure(g) for g in data.targets]
    closed_predicted = [tree.closure({p.code for p in ps}) for ps in decided]
    return Evaluation(
        file=name,
        model_version=classifier.version,
        space=space,
        shelfmark=shelfmark,
        baseline=baseline,
        hierarchical_f1=micro_prf(closed_predicted, closed_gold)[2],
        per_level_accuracy=per_level_accuracy(tree, decided, closed_gold),
        abstained=sum(not ps for ps in decided),
        reliability=_top_reliability([_ranked_in_space(tree, r, space) for r in ranked], gold),
        confusion=[
            level_confusion(tree, decided, closed_gold, depth)
            for depth in range(CONFUSION_LEVELS)
            if any(tree.depth(g) == depth for gold in closed_gold for g in gold)
        ],
        per_subject=per_subject_f1(predicted, gold),
        accepted=acceptance(top_subjects(decided), gold, classifier.accept_threshold),
    )


def evaluate_validation(
    model: HybridModel, validation: LabelledSet, vectors: np.ndarray, trained_on: str
) -> dict:
    """Headline figures of a freshly trained model on its validation split, saying what they are:
    the data, the documents, the space (``leaves`` when every gold subject is a leaf, as ``evaluate``
    scores such a file, then with ancestors too, ``closure``), and the reliability bins (mean
    probability, observed frequency, count) of each document's top subjects in that space."""
    tree = model.tree
    probabilities = model.probabilities(validation.texts, vectors)
    decided = model.decide(probabilities, model.domain_similarity(vectors))
    ranked = [model.ranked(row) for row in probabilities]
    space = _space_of(tree, validation.targets)
    figures, bins = {}, []
    for name in dict.fromkeys([space, "closure"]):
        gold = [_in_space(tree, t, name) for t in validation.targets]
        in_space = [_ranked_in_space(tree, r, name) for r in ranked]
        scores = score_predictions(in_space, [_predicted_in_space(tree, ps, name) for ps in decided], gold)
        figures[name] = {
            "precision_at_1": round(scores.precision_at_1, 4),
            "micro_f1": round(scores.micro_f1, 4),
            "macro_f1": round(scores.macro_f1, 4),
            "ece": round(scores.expected_calibration_error, 4),
        }
        if name == space:
            bins = _top_reliability(in_space, gold)
    sources = " + ".join(Path(source).name for source in trained_on.split(" + "))
    return {
        "data": f"validation split of {sources}: the {VALIDATION_FRACTION:.0%} of its documents "
        "chosen by a hash of their ids, held out from training the heads (the calibration and "
        "thresholds are fitted on it)",
        "documents": len(validation),
        "space": space,
        "figures": figures,
        "reliability": [[round(p, 4), round(frequency, 4), n] for p, frequency, n in bins],
        "assign_threshold": model.thresholds.assign,
        "assign_rare_threshold": model.thresholds.assign_rare,
        "accept_target_precision": model.thresholds.accept_precision,
        **acceptance(
            top_subjects(decided), [tree.closure(t) for t in validation.targets], model.thresholds.accept
        ).as_metrics(),
    }


def best_per_depth(tree: Tree, predictions: list[Prediction]) -> dict[int, str]:
    """The most probable assigned node at each depth."""
    best: dict[int, str] = {}
    for p in sorted(predictions, key=lambda p: -p.score):
        best.setdefault(tree.depth(p.code), p.code)
    return best


def per_level_accuracy(
    tree: Tree, decided: list[list[Prediction]], closed_gold: list[set[str]]
) -> dict[int, float]:
    """For each depth with gold subjects: how often the best assigned node at that depth is gold."""
    hits: dict[int, list[bool]] = {}
    for predictions, gold in zip(decided, closed_gold):
        best = best_per_depth(tree, predictions)
        for depth in {tree.depth(g) for g in gold}:
            hits.setdefault(depth, []).append(best.get(depth) in gold)
    return {depth: float(np.mean(values)) for depth, values in sorted(hits.items())}


def level_confusion(
    tree: Tree, decided: list[list[Prediction]], closed_gold: list[set[str]], depth: int
) -> Confusion:
    """Gold against predicted node at one depth, over the CONFUSION_NODES commonest gold rows.

    The predicted node is the best assigned one at that depth; the gold one is that node when it
    is gold, else the document's gold node there that is commonest in the file. Rarer rows count
    as OTHER, a document with nothing assigned at that depth as NONE.
    """
    frequency = Counter(g for gold in closed_gold for g in gold if tree.depth(g) == depth)
    pairs = []
    for predictions, gold in zip(decided, closed_gold):
        if here := [g for g in gold if tree.depth(g) == depth]:
            predicted = best_per_depth(tree, predictions).get(depth, NONE)
            actual = predicted if predicted in here else max(here, key=lambda g: (frequency[g], g))
            pairs.append((actual, predicted))
    shown = [code for code, _ in Counter(actual for actual, _ in pairs).most_common(CONFUSION_NODES)]
    rows, columns = [*shown, OTHER], [*shown, OTHER, NONE]
    counts = np.zeros((len(rows), len(columns)), dtype=int)
    for actual, predicted in pairs:
        row = rows.index(actual) if actual in shown else len(shown)
        column = columns.index(predicted) if predicted in shown or predicted == NONE else len(shown)
        counts[row, column] += 1
    return Confusion(depth, rows, columns, counts.tolist())


def _space_of(tree: Tree, targets: list[set[str]]) -> str:
    """``leaves`` when every gold code is a leaf, else ``closure`` (gold and predictions with ancestors)."""
    return "leaves" if all(code in tree.leaves for gold in targets for code in gold) else "closure"


def _predicted_in_space(tree: Tree, predictions: list[Prediction], space: str) -> set[str]:
    """The assigned codes of that space: the chosen leaves, or every subject with its ancestors."""
    return _in_space(tree, {p.code for p in predictions if p.is_leaf or space == "closure"}, space)


def _top_reliability(
    ranked: list[list[tuple[str, float]]], gold: list[set[str]]
) -> list[tuple[float, float, int]]:
    """Reliability bins of each document's five best subjects (those the ECE is computed from)."""
    top5 = [(p, c in g) for r, g in zip(ranked, gold) for c, p in r[:5]]
    return reliability([p for p, _ in top5], [c for _, c in top5])


def _in_space(tree: Tree, codes: set[str], space: str) -> set[str]:
    return tree.closure(codes) if space == "closure" else {c for c in codes if c in tree.leaves}


def _ranked_in_space(tree: Tree, ranked: list[tuple[str, float]], space: str) -> list[tuple[str, float]]:
    """The ranked codes of that space, most specific first: no code before one of its descendants."""
    if space == "leaves":
        return [(c, p) for c, p in ranked if c in tree.leaves]
    score = dict(ranked)
    return [(c, score[c]) for c in tree.specific_first(score)]


def _baseline_training_set(tree: Tree, data: LabelledSet, space: str) -> LabelledSet:
    """The training part of a file's documents under the model's split, its targets in the evaluation's space."""
    train, _ = validation_split(data.ids, VALIDATION_FRACTION)
    subset = data.subset(train)
    subset.targets = [_in_space(tree, t, space) for t in subset.targets]
    return subset
