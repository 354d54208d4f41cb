"""Explanations on real records: the sentences quoted are the document's own and score as the model
scores them, the neighbours carry the subject as an accepted one; zero-shot and trained models."""

import gzip
import json
from collections.abc import Iterator
from itertools import islice

import numpy as np
import pytest
from django.test import override_settings

from classifier import review, versions
from classifier.actions import classify_documents
from classifier.explanations import explain, hybrid_margins, scored_sentences, split_sentences
from classifier.loading import load_classifier
from ingest.parsers import parse_file
from ingest.parsers.jsonl import record_from_object
from ingest.types import ParsedRecord
from jobs.training import labelled_with_vectors, train_from_file
from library.actions import get_or_create_corpus
from library.models import Classification, Corpus, Document, DocumentEmbedding
from library.queries import documents_without_subject
from library.queue import QueueFilter, review_queue
from taxonomy.actions import import_taxonomy
from tests.classifier.test_training import FORC_TRAIN, FORC_VAL, TAXONOMY4CL
from tests.conftest import ARXIV_DEV
from tests.helpers import count_encoded, huge_abstract
from tests.web.conftest import Library, module_library

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def vector(document: Document) -> np.ndarray:
    return np.frombuffer(DocumentEmbedding.objects.get(document=document).vector, dtype=np.float32)


def leaf_codes(document: Document) -> list[str]:
    rows = Classification.objects.filter(document=document, is_leaf_prediction=True).order_by("rank")
    return list(rows.values_list("node__code", flat=True))


def assert_quotes_the_document(document: Document, explanation) -> None:
    assert 1 <= len(explanation.sentences) <= 3
    for sentence in explanation.sentences:
        assert sentence.text in document.title or sentence.text in document.abstract
    scores = [s.score for s in explanation.sentences]
    assert scores == sorted(scores, reverse=True)


def assert_nearest_accepted_carriers(document: Document, explanation) -> None:
    """The neighbours are the nearest of the other documents that carry the subject as accepted."""
    carriers = Classification.objects.filter(node__code=explanation.code, status="accepted")
    carriers = Document.objects.filter(id__in=carriers.values("document_id")).exclude(pk=document.pk)
    cosine = {d.pk: float(vector(d) @ vector(document)) for d in carriers}
    expected = sorted(cosine, key=lambda pk: -cosine[pk])[:3]
    assert [n.id for n in explanation.neighbours] == expected
    for neighbour in explanation.neighbours:
        assert neighbour.similarity == pytest.approx(cosine[neighbour.id], abs=1e-5)
        assert neighbour.title == Document.objects.get(pk=neighbour.id).title


def test_sentences_are_the_title_then_the_abstracts_own():
    title = "Benchmark for Assessing Olfactory Perception"
    abstract = "We test models. Fig. 2 shows it.\nLarge models do well on $k$-NN tasks! See more."
    assert split_sentences(title, abstract) == [
        title,
        "We test models.",
        "Fig. 2 shows it.",
        "Large models do well on $k$-NN tasks!",
    ], "short fragments are dropped"


@pytest.fixture(scope="module")
def library(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Library]:
    """Twelve real records classified zero-shot: nothing is accepted until a librarian says so."""
    with module_library(django_db_blocker, tmp_path_factory.mktemp("explain"), "explain", 12) as built:
        yield built


def test_zero_shot_quotes_the_document_and_finds_accepted_neighbours(library):
    document, *others = library.documents
    code = leaf_codes(document)[0]
    review.accept_all(document)  # carrying it as accepted itself does not make it its own neighbour
    for other in others[:4]:
        review.correct(other, code)
    review.accept_all(others[4])  # its own subjects accepted: a neighbour only if it carries ``code``

    (explanation,) = explain(document, [code])

    assert (explanation.code, explanation.measure) == (code, "cosine")
    assert explanation.model_version.startswith("zeroshot/")
    assert_quotes_the_document(document, explanation)
    classifier = load_classifier(library.taxonomy)
    texts = split_sentences(document.title, document.abstract)
    scores = classifier.model.similarities(classifier.encoder.encode(texts))[
        :, classifier.model.codes.index(code)
    ]
    assert [s.text for s in explanation.sentences] == [
        texts[i] for i in np.argsort(-scores, kind="stable")[:3]
    ]
    assert [s.score for s in explanation.sentences] == pytest.approx(
        sorted(scores, reverse=True)[:3], abs=1e-5
    )

    assert len(explanation.neighbours) == 3 and document.pk not in {n.id for n in explanation.neighbours}
    assert_nearest_accepted_carriers(document, explanation)


def test_a_subject_nobody_accepted_has_no_neighbours_yet(library):
    document = library.documents[0]
    codes = leaf_codes(document)
    explanations = explain(document, [*codes, "no.such.subject"])
    assert [e.code for e in explanations] == codes, "codes the taxonomy lacks are left out"
    assert all(e.neighbours == [] for e in explanations)
    for explanation in explanations:
        assert_quotes_the_document(document, explanation)


def test_a_huge_abstract_is_explained_from_its_first_sentences(library, settings, monkeypatch):
    abstract = huge_abstract()
    assert len(split_sentences("", abstract)) > 12_000
    document = Document.objects.create(
        corpus=library.corpus, external_id="huge", title=library.documents[0].title, abstract=abstract
    )
    classify_documents(library.taxonomy, [document])
    codes = leaf_codes(document)
    encoded = count_encoded(monkeypatch, load_classifier(library.taxonomy).encoder)

    explanations = explain(document, codes)

    first = scored_sentences(document.title, abstract)
    assert encoded == [len(first)] and len(first) == settings.CLASSIFIER_EXPLAIN_MAX_SENTENCES
    assert first == split_sentences(document.title, abstract)[: len(first)]
    assert [e.code for e in explanations] == codes
    for explanation in explanations:
        assert_quotes_the_document(document, explanation)
        assert {s.text for s in explanation.sentences} <= set(first)
    settings.CLASSIFIER_EXPLAIN_MAX_CHARS = 1000
    assert len(" ".join(scored_sentences(document.title, abstract))) <= len(document.title) + 1001


@pytest.fixture(scope="module")
def trained(django_db_setup, django_db_blocker, tmp_path_factory):
    """Taxonomy4CL with an active model trained on FoRC4CL, and a corpus classified by it: twelve
    validation papers and eight arXiv mathematics papers, which the model should not place."""
    with django_db_blocker.unblock():
        taxonomy = import_taxonomy(TAXONOMY4CL, name="taxonomy4cl-explain")
        model, _, _ = train_from_file(taxonomy, FORC_TRAIN, progress=lambda message: None)
        with override_settings(CLASSIFIER_MODEL_DIR=tmp_path_factory.mktemp("models")):
            versions.activate(versions.save_model(taxonomy, model, trained_on=str(FORC_TRAIN), metrics={}))
        papers = [r for r in islice(parse_file(FORC_VAL), 12) if isinstance(r, ParsedRecord)]
        with gzip.open(ARXIV_DEV, "rt") as lines:
            maths = [
                record_from_object(obj, ARXIV_DEV.name, n)
                for n, obj in enumerate(map(json.loads, islice(lines, 3000)), start=1)
                if obj["categories"][0].startswith("math.")
            ][:8]
        corpus = get_or_create_corpus("forc-explain", taxonomy)
        documents = Document.objects.bulk_create(
            Document(
                corpus=corpus, external_id=r.external_id, title=r.title, abstract=r.abstract, content_hash=""
            )
            for r in [*papers, *maths]
        )
        documents = list(Document.objects.filter(corpus=corpus).order_by("id"))
        classify_documents(taxonomy, documents)
        yield taxonomy, model, documents[: len(papers)], documents[len(papers) :]
        Corpus.objects.filter(taxonomy=taxonomy).delete()
        taxonomy.delete()


def test_sentence_margins_are_the_trained_heads_own(trained):
    taxonomy, model, _, _ = trained
    data, vectors = labelled_with_vectors(taxonomy, FORC_VAL, progress=lambda message: None)
    leaf = next(i for i, code in enumerate(model.codes) if model.trained[i] and not model.tree.children[code])
    margins = hybrid_margins(model, data.texts, vectors, leaf)
    evidence = [scores[:, leaf] for scores in model.evidence(data.texts, vectors)]
    assert evidence[0] == pytest.approx(margins)
    probabilities = model.probabilities(data.texts, vectors)[:, leaf]
    assert model.head_calibration(*evidence) == pytest.approx(probabilities, abs=1e-6)


def test_trained_model_explains_with_margins_and_accepted_neighbours(trained):
    _, model, papers, _ = trained
    labelled, unlabelled = papers[:6], papers[6:]
    for document in labelled:
        review.accept_all(document)
    with_neighbours = 0
    for document in unlabelled:
        for code in leaf_codes(document):
            (explanation,) = explain(document, [code])
            trained_head = model.trained[model.codes.index(code)]
            assert explanation.measure == ("margin" if trained_head else "cosine")
            assert explanation.model_version.startswith("hybrid/")
            assert_quotes_the_document(document, explanation)
            assert_nearest_accepted_carriers(document, explanation)
            assert explanation.voters == [], "FoRC4CL's model reads margins alone"
            with_neighbours += bool(explanation.neighbours)
    assert with_neighbours >= 3, "papers of one field share subjects with the accepted ones"


def test_papers_the_trained_model_cannot_place_need_a_subject(trained):
    taxonomy, _, papers, maths = trained
    unplaced = set(documents_without_subject(taxonomy=taxonomy.pk))
    assert len(unplaced & set(maths)) >= 7 and not unplaced & set(papers)
    assert all(not d.assessment.classifiable for d in unplaced)
    assert not unplaced & set(review_queue(QueueFilter(taxonomy=taxonomy.pk)).documents)
