"""The nearest labelled papers' vote, on 1,000 real arXiv papers spread over the training months."""

import gzip
import json
from dataclasses import replace
from itertools import islice

import numpy as np
import pytest
from django.test import override_settings
from django.utils.html import escape

from classifier import versions
from classifier.actions import classify_documents
from classifier.evaluation import evaluate_validation
from classifier.explanations import explain
from classifier.figures import ValidationFigures
from classifier.training.fitting import target_matrix
from jobs.training import train_from_file
from library.actions import get_or_create_corpus
from library.models import Document
from taxonomy.actions import import_taxonomy
from tests.classifier.test_decoding import assert_consistent
from tests.classifier.test_explanations import leaf_codes, vector
from tests.conftest import ARXIV_DEV, ARXIV_NODES, SHARED_DATA

ARXIV_TRAIN = SHARED_DATA / "corpora" / "arxiv-2025-train.jsonl.gz"
PAPERS = 1000

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="module")
def trained(django_db_setup, django_db_blocker, tmp_path_factory):
    """The arXiv taxonomy with an active model trained on every 20th paper of the arXiv train file,
    and the model's validation split."""
    sample = tmp_path_factory.mktemp("arxiv") / "arxiv-sample.jsonl"
    with gzip.open(ARXIV_TRAIN, "rt", encoding="utf-8") as lines:
        sample.write_text("".join(islice(lines, 0, PAPERS * 20, 20)), encoding="utf-8")
    with django_db_blocker.unblock():
        taxonomy = import_taxonomy(ARXIV_NODES, name="arxiv-neighbours-test")
        model, validation, vectors = train_from_file(taxonomy, sample, progress=lambda message: None)
        with override_settings(CLASSIFIER_MODEL_DIR=tmp_path_factory.mktemp("models")):
            versions.activate(versions.save_model(taxonomy, model, trained_on=str(sample), metrics={}))
        yield taxonomy, model, validation, vectors
        taxonomy.corpora.all().delete()
        taxonomy.delete()


def test_arxiv_papers_keep_the_vote_and_it_raises_probabilities(trained):
    _, model, validation, vectors = trained
    assert model.neighbours is not None and len(model.neighbours.vectors) == PAPERS - len(validation)
    margin_weight, vote_weight = model.head_calibration.a
    assert margin_weight > 0 and vote_weight > 0
    rising = np.linspace(0, 1, 11)
    assert (np.diff(model.head_calibration(np.zeros(11), rising)) > 0).all()
    for predictions in model.predict(validation.texts, vectors):
        if predictions:
            assert_consistent(model.tree, predictions)


def test_votes_point_at_the_papers_subjects(trained):
    _, model, validation, vectors = trained
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
    _, model, _, _ = trained
    alone = replace(model.neighbours, k=1)
    votes = alone.votes(model.neighbours.vectors[:50])
    assert (votes == model.neighbours.targets[:50]).all()


def test_voters_are_the_nearest_training_papers_that_carry_the_subject(trained):
    _, model, _, vectors = trained
    neighbours = model.neighbours
    votes = neighbours.votes(vectors[:20])
    for row, document_vector in enumerate(vectors[:20]):
        nearest = set(np.argsort(-(neighbours.vectors @ document_vector))[: neighbours.k])
        for column in np.flatnonzero(neighbours.targets[list(nearest)].any(axis=0)):
            voters = neighbours.voters(document_vector, column)
            carriers = {neighbours.ids[i] for i in nearest if neighbours.targets[i, column]}
            assert {v.external_id for v in voters} == carriers and votes[row, column] > 0
            similarities = [v.similarity for v in voters]
            assert similarities == sorted(similarities, reverse=True)


def test_explanations_name_the_training_papers_that_voted(trained, client):
    taxonomy, model, _, _ = trained
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in islice(lines, 3)]
    corpus = get_or_create_corpus("arxiv-voters", taxonomy)
    Document.objects.bulk_create(
        Document(
            corpus=corpus, external_id=r["id"], title=r["title"], abstract=r["abstract"], content_hash=""
        )
        for r in records
    )
    documents = list(Document.objects.filter(corpus=corpus).order_by("id"))
    classify_documents(taxonomy, documents)
    titles = dict(zip(model.neighbours.ids, model.neighbours.titles))
    for document in documents:
        code = leaf_codes(document)[0]
        (explanation,) = explain(document, [code])
        assert 1 <= len(explanation.voters) <= 3
        column = model.codes.index(code)
        assert explanation.voters == model.neighbours.voters(vector(document), column)[:3]
        for voter in explanation.voters:
            assert titles[voter.external_id] == voter.title and 0 < voter.similarity <= 1 + 1e-6

    document = documents[0]
    code = leaf_codes(document)[0]
    (explanation,) = explain(document, [code])
    answer = client.get(f"/api/documents/{document.pk}/subjects/{code}/explanation/").json()
    assert [v["external_id"] for v in answer["voters"]] == [v.external_id for v in explanation.voters]
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "Training papers nearby with this subject" in page
    assert all(escape(v.title) in page for v in explanation.voters)


def test_validation_figures_come_on_leaves_and_with_ancestors(trained):
    """arXiv's gold subjects are leaves: the headline figures are on leaves, as ``evaluate`` scores a
    later file, and those with ancestors, where broad subjects are easy to get right, come after."""
    _, model, validation, vectors = trained
    metrics = evaluate_validation(model, validation, vectors, "/data/arxiv-sample.jsonl")
    assert metrics["space"] == "leaves" and list(metrics["figures"]) == ["leaves", "closure"]
    assert metrics["data"].startswith("validation split of arxiv-sample.jsonl: ")
    leaves, closure = metrics["figures"]["leaves"], metrics["figures"]["closure"]
    assert closure["micro_f1"] > leaves["micro_f1"]
    figures = ValidationFigures.of(metrics)
    assert [space.space_text for space in figures.spaces] == ["on leaves", "with ancestors"]
    assert str(figures.headline).startswith(f"on leaves: P@1 {leaves['precision_at_1']:.3f}, micro-F1 ")
