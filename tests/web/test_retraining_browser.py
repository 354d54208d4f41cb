"""A curator's walk in a real Chromium from the review queue to the next model: accepts one
suggestion and rejects another, adds the subject the model missed, trains the next model on the
Models page, reads its figures there and switches it on."""

import gzip
import json
from dataclasses import replace
from itertools import islice

import pytest

from accounts.roles import Role
from classifier import versions
from classifier.actions import classify_documents
from classifier.models import ClassifierModel
from ingest.parsers.jsonl import record_from_object
from jobs.models import TrainingJob
from jobs.training import train_and_register
from library.actions import get_or_create_corpus
from library.models import Classification, Decision
from library.queue import QueueFilter, review_queue
from search.actions import index_documents
from taxonomy.actions import import_taxonomy
from taxonomy.labels import LabelResolver
from tests.classifier.test_training import FORC_TRAIN, FORC_VAL, TAXONOMY4CL
from tests.helpers import store_documents
from tests.web.test_browser import shot, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PAPERS = 20
TRAINING_MS = 180_000  # the next model trains inside the request (eager tasks): FoRC4CL train, on 2 cores


@pytest.fixture
def forc_library(transactional_db, settings, tmp_path):
    """FoRC4CL validation papers, stored without their subjects, classified by a model trained on
    FoRC4CL train and indexed; with each paper's own subjects (Taxonomy4CL codes) beside it."""
    settings.SEARCH_EMBEDDED_PATH = tmp_path / "search.sqlite3"
    taxonomy = import_taxonomy(TAXONOMY4CL, name="t4cl")
    first = train_and_register(taxonomy, [FORC_TRAIN], progress=lambda message: None)
    versions.activate(first)
    with gzip.open(FORC_VAL, "rt", encoding="utf-8") as lines:
        records = [
            record_from_object(json.loads(line), FORC_VAL.name, n)
            for n, line in enumerate(islice(lines, PAPERS))
        ]
    documents = store_documents(
        get_or_create_corpus("forc-val", taxonomy), [replace(r, labels=()) for r in records]
    )
    classify_documents(taxonomy, documents)
    index_documents([document.pk for document in documents])
    resolver = LabelResolver(versions.load_model(first.path).tree)
    return taxonomy, {
        d.pk: {resolver.resolve(label) for label in r.labels} - {None} for d, r in zip(documents, records)
    }


def test_a_curator_reviews_corrects_retrains_and_activates(
    forc_library, eager_pipeline, live_server, user_with, monkeypatch
):
    from playwright.sync_api import expect

    taxonomy, truth = forc_library
    curator = user_with(Role.CURATOR)
    first = ClassifierModel.objects.get(taxonomy=taxonomy, is_active=True)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM beside Playwright's loop
    with signed_in(live_server.url, curator) as page:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
        accept, reject = (  # a suggestion of each of the queue's first two documents
            Classification.objects.filter(document=document, status="review").select_related("node").first()
            for document in review_queue(QueueFilter()).documents[:2]
        )
        for subject, verb in ((accept, "Accept"), (reject, "Reject")):
            item = page.locator(f'.queue-item[data-document="{subject.document_id}"]')
            item.get_by_role("button", name=f"{verb} {subject.node.label}", exact=True).click()
            expect(page.locator(".message.success")).to_contain_text(f"{verb}ed {subject.node.label}")

        # A paper whose own subject the model did not give: the curator adds it on its page.
        given = set(Classification.objects.values_list("document_id", "node__code"))
        paper, code = next(
            (pk, code) for pk, codes in truth.items() for code in sorted(codes) if (pk, code) not in given
        )
        page.goto(f"{live_server.url}/documents/{paper}/")
        page.get_by_label("Add the right subject").fill(code)
        page.get_by_role("button", name="Add subject").click()
        expect(page.locator(".message.success")).to_contain_text("Added")

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Models").click()
        page.get_by_role("button", name="Train the next model").click()
        expect(page.locator(".message.success")).to_contain_text("is queued", timeout=TRAINING_MS)
        job = TrainingJob.objects.get(taxonomy=taxonomy)
        assert job.state == TrainingJob.State.DONE, job.message
        second = job.model
        row = page.locator(f'tr[data-model="{second.version}"]')
        expect(page.locator(f'tr[data-training="{job.pk}"]')).to_contain_text("Done")
        expect(row).to_contain_text("P@1")
        expect(row.locator(".status-accepted")).to_have_count(0)
        shot(page, "models-trained")

        row.get_by_role("button", name=f"Activate {second.version}").click()
        expect(page.locator(".message.success")).to_contain_text(f"{second.version} now classifies")
        expect(page.locator(f'tr[data-model="{second.version}"] .status-accepted')).to_have_text("active")
        shot(page, "models-activated")

    assert ClassifierModel.objects.get(taxonomy=taxonomy, is_active=True) == second != first
    assert "corpus:forc-val" in second.trained_on, "the next model learned from the decisions"
    assert set(Decision.objects.filter(user=curator).values_list("action", flat=True)) == {
        Decision.Action.ACCEPT,
        Decision.Action.REJECT,
        Decision.Action.CORRECT,
        Decision.Action.TRAIN,
        Decision.Action.ACTIVATE_MODEL,
    }
