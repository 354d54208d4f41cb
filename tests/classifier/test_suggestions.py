"""Zero-shot scores are similarities, stored as they are and marked so; none below the suggestion
floor (the taxonomy's, else the setting) is stored, and a document with nothing above it is one
the model could not place."""

import gzip
import json
from itertools import islice

import pytest
from django.core.management import call_command

from classifier.actions import classify_documents
from ingest.parsers.jsonl import record_from_object
from library.actions import get_or_create_corpus
from library.models import Classification, DocumentAssessment
from taxonomy.models import Taxonomy
from tests.conftest import ARXIV_DEV
from tests.helpers import store_documents

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_no_stored_zero_shot_suggestion_is_below_the_floor(arxiv_taxonomy, settings):
    corpus = get_or_create_corpus("arxiv-suggestions", arxiv_taxonomy)
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as lines:
        records = [
            record_from_object(json.loads(line), ARXIV_DEV.name, n)
            for n, line in enumerate(islice(lines, 60))
        ]
    documents = store_documents(corpus, records)
    rows = Classification.objects.filter(document__corpus=corpus)
    unplaced = DocumentAssessment.objects.filter(document__corpus=corpus, classifiable=False)

    taxonomy = arxiv_taxonomy
    for floor in (settings.CLASSIFIER_SUGGESTION_FLOOR, 0.3):
        if floor == 0.3:  # the taxonomy's own floor, set as an operator would; the setting no longer counts
            call_command("suggestion_floor", "arxiv", "0.3")
            taxonomy, settings.CLASSIFIER_SUGGESTION_FLOOR = Taxonomy.objects.get(pk=taxonomy.pk), 0.0
        classify_documents(taxonomy, documents)
        assert rows.exists() and set(rows.values_list("status", "score_kind")) == {("review", "similarity")}
        assert not rows.filter(score__lt=floor).exists(), floor
        placed = set(rows.values_list("document_id", flat=True))
        assert placed.isdisjoint(unplaced.values_list("document_id", flat=True))
        assert len(placed) + unplaced.count() == len(documents)
    assert unplaced.count() > len(documents) // 2, "at 0.3 most papers are too far from every subject"
