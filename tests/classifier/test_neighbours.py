"""The nearest labelled papers' vote, on 1,000 real arXiv papers spread over the training months."""

import gzip
from itertools import islice

import numpy as np
import pytest

from classifier.neighbours import Neighbours
from classifier.training.fitting import target_matrix
from classifier.training.pipeline import train_from_file
from taxonomy.actions import import_taxonomy
from tests.classifier.test_decoding import assert_consistent
from tests.conftest import ARXIV_NODES, SHARED_DATA

ARXIV_TRAIN = SHARED_DATA / "corpora" / "arxiv-2025-train.jsonl.gz"
PAPERS = 1000

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="module")
def trained(django_db_setup, django_db_blocker, tmp_path_factory):
    """A model trained on every 20th paper of the arXiv train file, with its validation split."""
    sample = tmp_path_factory.mktemp("arxiv") / "arxiv-sample.jsonl"
    with gzip.open(ARXIV_TRAIN, "rt", encoding="utf-8") as lines:
        sample.write_text("".join(islice(lines, 0, PAPERS * 20, 20)), encoding="utf-8")
    with django_db_blocker.unblock():
        taxonomy = import_taxonomy(ARXIV_NODES, name="arxiv-neighbours-test")
        model, validation, vectors = train_from_file(taxonomy, sample, progress=lambda message: None)
        yield model, validation, vectors
        taxonomy.delete()


def test_arxiv_papers_keep_the_vote_and_it_raises_probabilities(trained):
    model, validation, vectors = trained
    assert model.neighbours is not None and len(model.neighbours.vectors) == PAPERS - len(validation)
    margin_weight, vote_weight = model.head_calibration.a
    assert margin_weight > 0 and vote_weight > 0
    rising = np.linspace(0, 1, 11)
    assert (np.diff(model.head_calibration(np.zeros(11), rising)) > 0).all()
    for predictions in model.predict(validation.texts, vectors):
        if predictions:
            assert_consistent(model.tree, predictions)


def test_votes_point_at_the_papers_subjects(trained):
    model, validation, vectors = trained
    votes = model.neighbours.votes(vectors)
    assert votes.shape == (len(validation), len(model.codes))
    assert ((votes >= 0) & (votes <= 1 + 1e-6)).all()
    gold = target_matrix(model.tree, model.codes, validation.targets)
    leaves = np.array([code in model.tree.leaves for code in model.codes])
    best = np.where(leaves, votes, -1).argmax(axis=1)
    hits = gold[np.arange(len(gold)), best].mean()
    commonest = gold[:, leaves].mean(axis=0).max()
    assert hits > 0.7 and hits > commonest + 0.3


def test_a_training_paper_is_its_own_nearest_neighbour(trained):
    model, _, _ = trained
    alone = Neighbours(model.neighbours.vectors, model.neighbours.targets, k=1)
    votes = alone.votes(model.neighbours.vectors[:50])
    assert (votes == model.neighbours.targets[:50]).all()
