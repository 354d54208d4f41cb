"""Fit the hybrid classifier: linear heads, calibration and thresholds, on a train/validation split."""

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from classifier.acceptance import accept_threshold, top_subjects
from classifier.hybrid import HybridModel, NoText, Platt, Thresholds, features
from classifier.metrics import macro_f1, micro_prf
from classifier.neighbours import Neighbours
from classifier.training.data import LabelledSet
from taxonomy.tree import Tree

MIN_EXAMPLES = 3  # fewer positives than this: the node keeps its zero-shot prior
SVM_C = 0.25  # chosen by mean average precision on the arXiv dev file (0.25, 0.5, 1.0 tried)
MAX_FEATURES = 150_000
ACCEPT_PRECISION = 0.95  # the validation precision of the top subjects that skip the review queue
ABSTAIN_BELOW = 0.1
DOMAIN_QUANTILE = 0.01  # the share of validation documents the domain floor may turn away
GRID = np.round(np.r_[np.arange(0.05, 0.96, 0.05), 0.97, 0.98, 0.99], 2)
MICRO_F1_SLACK = 0.005  # micro-F1 lower thresholds may give up for the long tail's recall
FREQUENT_SHARE = 0.04  # subjects on this share of training documents or more get their own threshold
RARE_POSITIVE_WEIGHT = 2.0  # weight of a rare subject's positive documents in its head's loss (validated)


@dataclass(frozen=True)
class Options:
    svm_c: float = SVM_C
    max_features: int = MAX_FEATURES
    min_examples: int = MIN_EXAMPLES
    rare_positive_weight: float = RARE_POSITIVE_WEIGHT
    accept_precision: float = ACCEPT_PRECISION
    compact: bool = False  # heads on the encoder's vector alone, no neighbours: a model of a few hundred KB


DEFAULTS = Options()


def labels_are_leaves(tree: Tree, data: LabelledSet) -> bool:
    """Whether every gold subject is a leaf: then only leaves are scored and branches take their best."""
    return all(code in tree.leaves for gold in data.targets for code in gold)


def target_matrix(tree: Tree, codes: list[str], targets: list[set[str]]) -> np.ndarray:
    """Documents × codes, true for each gold code and its ancestors."""
    position = {code: i for i, code in enumerate(codes)}
    matrix = np.zeros((len(targets), len(codes)), dtype=bool)
    for row, gold in enumerate(targets):
        matrix[row, [position[c] for c in tree.closure(gold)]] = True
    return matrix


def fit_hybrid(
    tree: Tree,
    node_vectors: np.ndarray,
    train: LabelledSet,
    train_vectors: np.ndarray,
    validation: LabelledSet,
    validation_vectors: np.ndarray,
    options: Options = DEFAULTS,
    progress: Callable[[str], None] = lambda message: None,
) -> HybridModel:
    """Train heads on ``train``; fit calibration and thresholds on ``validation``."""
    codes = sorted(tree.parents)
    targets = target_matrix(tree, codes, train.targets)
    scored = (
        np.array([c in tree.leaves for c in codes])
        if labels_are_leaves(tree, train)
        else np.ones(len(codes), bool)
    )
    trained = scored & (targets.sum(axis=0) >= options.min_examples)
    progress(
        "no text features: a compact model" if options.compact else f"TF-IDF over {len(train)} documents"
    )
    vectorizer = (
        NoText()
        if options.compact
        else TfidfVectorizer(
            ngram_range=(1, 2),
            min_df=2,
            max_df=0.5,
            sublinear_tf=True,
            max_features=options.max_features,
            dtype=np.float32,
        )
    )
    vectorizer.fit(train.texts)
    frequent = targets.mean(axis=0) >= FREQUENT_SHARE
    matrix = features(vectorizer, train.texts, train_vectors)
    weights, bias = fit_heads(matrix, targets, trained, ~frequent, options, progress)
    model = HybridModel(
        tree=tree,
        codes=codes,
        scored=scored,
        trained=trained,
        vectorizer=vectorizer,
        weights=weights,
        bias=bias,
        node_vectors=node_vectors,
        centroids=centroids(train_vectors, targets),
        head_calibration=Platt((1.0,), 0.0),  # until calibrate() fits both
        prior_calibration=Platt((1.0,), 0.0),
        thresholds=Thresholds(assign=0.5, accept=0.9, abstain=ABSTAIN_BELOW, domain=-1.0),
        neighbours=None
        if options.compact
        else Neighbours(np.asarray(train_vectors, dtype=np.float32), targets, train.ids, train.titles),
        frequent=frequent,
    )
    progress("calibration and thresholds on the validation split")
    calibrate(model, validation, validation_vectors, options.accept_precision)
    return model


def fit_heads(
    matrix,
    targets: np.ndarray,
    trained: np.ndarray,
    rare: np.ndarray,
    options: Options = DEFAULTS,
    progress: Callable[[str], None] = lambda message: None,
) -> tuple[np.ndarray, np.ndarray]:
    """One linear SVM per ``trained`` code: (features, codes) weights and (codes,) biases, zero for the
    other codes. A ``rare`` code's positive documents weigh ``rare_positive_weight`` in its loss, so its
    few examples are not outvoted by thousands of negatives."""
    weights = np.zeros((matrix.shape[1], targets.shape[1]), dtype=np.float32)
    bias = np.zeros(targets.shape[1], dtype=np.float32)
    columns = np.flatnonzero(trained)
    for done, column in enumerate(columns, start=1):
        weight = {True: options.rare_positive_weight} if rare[column] else None
        svm = LinearSVC(C=options.svm_c, class_weight=weight).fit(matrix, targets[:, column])
        weights[:, column], bias[column] = svm.coef_[0], svm.intercept_[0]
        if done % 20 == 0:
            progress(f"linear heads: {done} of {len(columns)}")
    return weights, bias


def centroids(vectors: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Unit mean vector of each code's training documents (zero for codes without any)."""
    sums = targets.T.astype(np.float32) @ vectors.astype(np.float32)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return sums / np.maximum(norms, 1e-9)


def calibrate(
    model: HybridModel,
    validation: LabelledSet,
    vectors: np.ndarray,
    accept_precision: float = ACCEPT_PRECISION,
) -> None:
    """Fit Platt scaling of the heads' evidence and of similarities, then choose the thresholds: the
    accept threshold is the lowest score from which the validation documents' top subjects (the
    most specific chosen ones) are right ``accept_precision`` of the time, and never below the
    assign threshold.

    The neighbours are kept only where their vote earns a positive weight next to the margin (with
    few training documents it may not: FoRC4CL's 950 papers give it a negative one).
    """
    gold = target_matrix(model.tree, model.codes, validation.targets)
    evidence = model.evidence(validation.texts, vectors)
    trained = [scores[:, model.trained] for scores in evidence]
    model.head_calibration = fit_platt(trained, gold[:, model.trained])
    if model.neighbours is not None and model.head_calibration.a[1] <= 0:  # the votes add nothing: drop them
        model.neighbours, evidence = None, evidence[:1]
        model.head_calibration = fit_platt(trained[:1], gold[:, model.trained])
    support = gold.sum(axis=0)
    rare = model.scored & (
        ~model.trained | (support < np.median(support[model.scored]))
    )  # where the prior matters
    model.prior_calibration = fit_platt([(vectors @ model.node_vectors.T)[:, rare]], gold[:, rare])
    probabilities = model.probabilities_from(evidence, vectors)
    domain = float(np.quantile(model.domain_similarity(vectors), DOMAIN_QUANTILE))
    model.thresholds = replace(choose_thresholds(model, probabilities, validation.targets), domain=domain)
    tops = top_subjects(model.decide(probabilities, model.domain_similarity(vectors)))
    accept = accept_threshold(tops, scored_gold(model, validation.targets), accept_precision)
    model.thresholds = replace(
        model.thresholds, accept=max(accept, model.thresholds.assign), accept_precision=accept_precision
    )


def fit_platt(scores: list[np.ndarray], labels: np.ndarray) -> Platt:
    """One logistic curve from each kind of score (same shape as ``labels``) to probabilities,
    for all columns together."""
    columns = np.stack([s.reshape(-1) for s in scores], axis=1)
    regression = LogisticRegression(C=1e4).fit(columns, labels.reshape(-1))
    return Platt(tuple(float(w) for w in regression.coef_[0]), float(regression.intercept_[0]))


def scored_gold(model: HybridModel, targets: list[set[str]]) -> list[set[str]]:
    """Gold subjects in the space the model scores: with their ancestors, or the leaves alone."""
    closed = [model.tree.closure(t) for t in targets]
    return closed if model.scored.all() else [codes & set(model.tree.leaves) for codes in closed]


def choose_thresholds(model: HybridModel, probabilities: np.ndarray, targets: list[set[str]]) -> Thresholds:
    """Assign frequent subjects from one threshold and the others from one no higher.

    The pair is the one with the best validation macro-F1 among those within MICRO_F1_SLACK of the
    best micro-F1 (the lower pair among equals): rare subjects gain recall, frequent ones keep their
    precision. Nothing is accepted yet: ``calibrate`` chooses that threshold from the decisions.
    """
    in_space = (lambda codes: codes) if model.scored.all() else (lambda codes: codes & set(model.tree.leaves))
    gold = scored_gold(model, targets)

    def quality_at(assign: float, rare: float) -> tuple[float, float]:
        model.thresholds = Thresholds(
            assign=assign, accept=1.0, abstain=ABSTAIN_BELOW, domain=-1.0, assign_rare=rare
        )
        assigned = [in_space({p.code for p in ps}) for ps in model.decide(probabilities)]
        return micro_prf(assigned, gold)[2], macro_f1(assigned, gold)

    quality = {(a, r): quality_at(a, r) for a in GRID for r in GRID if r <= a}
    best_micro = max(micro for micro, _ in quality.values())
    close = [pair for pair, (micro, _) in quality.items() if micro >= best_micro - MICRO_F1_SLACK]
    assign, rare = max(close, key=lambda pair: (quality[pair][1], -pair[0], -pair[1]))
    return Thresholds(
        assign=float(assign),
        accept=math.inf,
        abstain=ABSTAIN_BELOW,
        domain=-1.0,
        assign_rare=float(rare),
    )
