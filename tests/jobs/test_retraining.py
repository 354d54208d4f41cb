"""Corrections that teach: a curator trains the next model from the page; it learns the active
model's file and the librarians' corrections, on a worker's task; its predictions on the corrected
papers move to the corrections; the curator switches it on."""

import gzip
import json
from dataclasses import replace
from itertools import islice

import numpy as np
import pytest
from django.urls import reverse

from accounts.roles import Role
from classifier import review, versions
from classifier.actions import classify_documents
from classifier.chunking import DocumentText
from classifier.loading import trained_classifier
from classifier.models import ClassifierModel
from classifier.vectors import document_vectors
from ingest.parsers.jsonl import record_from_object
from jobs.models import TrainingJob
from jobs.retraining import retraining_sources
from jobs.training import train_and_register
from library.actions import get_or_create_corpus
from library.models import Decision
from taxonomy.actions import import_taxonomy
from taxonomy.labels import LabelResolver
from tests.classifier.test_training import FORC_TRAIN, FORC_VAL, TAXONOMY4CL
from tests.helpers import store_documents

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
PAPERS, CORRECTED = 60, 30


def test_a_curator_trains_the_next_model_from_corrections_and_switches_it_on(
    client, user_with, eager_pipeline, django_capture_on_commit_callbacks
):
    taxonomy = import_taxonomy(TAXONOMY4CL, name="t4cl")
    first = train_and_register(taxonomy, [FORC_TRAIN], progress=lambda message: None)
    versions.activate(first)
    corpus = get_or_create_corpus("forc-val", taxonomy)
    with gzip.open(FORC_VAL, "rt", encoding="utf-8") as lines:
        records = [
            record_from_object(json.loads(line), FORC_VAL.name, n)
            for n, line in enumerate(islice(lines, PAPERS))
        ]
    documents = store_documents(corpus, [replace(record, labels=()) for record in records])  # none given
    classify_documents(taxonomy, documents)

    # A librarian gives the first papers their FoRC4CL subjects where the model missed them.
    librarian = user_with(Role.LIBRARIAN, name="corrector")
    resolver = LabelResolver(first_model(first).tree)
    corrected = {}
    for document, record in zip(documents[:CORRECTED], records):
        codes = [resolver.resolve(label) for label in record.labels]
        corrected[document.pk] = next(code for code in codes if code)
        review.correct(document, corrected[document.pk], by=librarian)

    curator = user_with(Role.CURATOR)
    client.force_login(curator)
    assert "Train the next model" in client.get(reverse("web:models")).content.decode()
    with_sources = retraining_sources(taxonomy)
    assert with_sources == [str(FORC_TRAIN.resolve()), "corpus:forc-val"]
    with django_capture_on_commit_callbacks(execute=True):  # the task runs here, at commit
        client.post(reverse("web:retrain", args=[taxonomy.pk]))

    job = TrainingJob.objects.get(taxonomy=taxonomy)
    assert job.state == TrainingJob.State.DONE, job.message
    assert (job.created_by, job.sources) == (curator, with_sources)
    second = job.model
    assert not second.is_active and second.version != first.version
    assert Decision.objects.filter(action="train", user=curator).exists()

    # On the corrected papers, the corrected subject is likelier under the new model than the old.
    before, after = (probability_of(model, documents[:CORRECTED], corrected) for model in (first, second))
    assert np.mean(after) > np.mean(before) + 0.1, (np.mean(before), np.mean(after))

    client.post(reverse("web:activate-model", args=[second.pk]))
    assert ClassifierModel.objects.get(taxonomy=taxonomy, is_active=True) == second
    assert Decision.objects.filter(action="activate-model", user=curator).exists()


def first_model(record: ClassifierModel):
    return versions.load_model(record.path)


def probability_of(record: ClassifierModel, documents: list, corrected: dict[int, str]) -> list[float]:
    """The model's probability of each paper's corrected subject."""
    classifier = trained_classifier(record)
    model = classifier.model
    texts = [DocumentText(d.title, d.abstract, d.full_text).text for d in documents]
    vectors, _ = document_vectors(classifier.encoder, documents)
    probabilities = model.probabilities(texts, vectors)
    column = {code: i for i, code in enumerate(model.codes)}
    return [probabilities[row, column[code]] for row, code in enumerate(corrected.values())]
