"""A newly trained model reclassifies a corpus on a real worker: started by the command (following
its progress) and by the API, in paced batches, re-indexed, every subject naming the model that
made it, librarians' decisions standing across models and runs. Real FoRC4CL papers, Taxonomy4CL,
and a model trained on the FoRC4CL training file."""

from io import StringIO
from itertools import islice

import pytest
from django.core.management import call_command
from django.urls import reverse

from classifier import review, versions
from classifier.actions import classify_documents
from ingest.parsers import parse_file
from ingest.types import ParsedRecord
from jobs.models import IngestJob
from jobs.training import train_from_file
from library.actions import get_or_create_corpus
from library.models import Classification, DocumentAssessment, DocumentEmbedding
from search.backends import get_backend
from search.types import SearchQuery
from taxonomy.actions import import_taxonomy
from tests.conftest import SHARED_DATA
from tests.helpers import store_documents, wait_for_job
from tests.jobs.test_reclassify import assert_same_rows, codes, rows, top_leaf

pytestmark = pytest.mark.slow

TAXONOMY4CL = SHARED_DATA / "taxonomies" / "taxonomy4cl-v1.0.1.json"
FORC_TRAIN = SHARED_DATA / "corpora" / "forc4cl-train.jsonl.gz"
FORC_VAL = SHARED_DATA / "corpora" / "forc4cl-val.jsonl.gz"
DOCUMENTS = 30


def found(taxonomy_id: int, code: str) -> set[int]:
    query = SearchQuery(nodes=(code,), taxonomy_id=taxonomy_id, size=100, suggested=True)
    return {hit.id for hit in get_backend().search(query).hits}


@pytest.mark.django_db(transaction=True)
def test_a_new_model_reclassifies_a_corpus_on_a_worker(start_worker, settings, tmp_path, api):
    settings.INGEST_BATCH_SIZE = 8
    settings.INGEST_MAX_PENDING_BATCHES = 2
    settings.CLASSIFIER_MODEL_DIR = tmp_path / "models"
    taxonomy = import_taxonomy(TAXONOMY4CL, name="taxonomy4cl-reclassify")
    model, _, _ = train_from_file(taxonomy, FORC_TRAIN, progress=lambda message: None)
    trained = versions.save_model(taxonomy, model, trained_on=str(FORC_TRAIN), metrics={})  # not active
    corpus = get_or_create_corpus("forc-reclassify", taxonomy)
    papers = [r for r in islice(parse_file(FORC_VAL), DOCUMENTS) if isinstance(r, ParsedRecord)]
    documents = store_documents(corpus, papers)
    classify_documents(taxonomy, documents)  # zero-shot: the taxonomy has no active model
    zero_shot = set(Classification.objects.values_list("model_version", flat=True))
    assert len(zero_shot) == 1 and zero_shot.pop().startswith("zeroshot/")
    accepted, rejected_before, rejected_between, *others = documents
    review.accept(top_leaf(accepted))  # decisions on the zero-shot model's subjects
    kept = {pk: row for pk, row in rows([accepted]).items() if row[7] is not None}
    rejected_first = top_leaf(rejected_before)
    review.reject(rejected_first)
    vectors = dict(DocumentEmbedding.objects.values_list("document_id", "pk"))
    assert len(vectors) == DOCUMENTS
    start_worker()

    out = StringIO()
    call_command("reclassify", "--corpus", corpus.name, "--model", trained.version, "--wait", stdout=out)

    job = IngestJob.objects.get(corpus=corpus)
    assert (job.state, job.expected, job.classified, job.indexed, job.processed) == ("done", 30, 30, 30, 30)
    assert job.batches.count() == 4 and job.parse_turn > 0, "paced: batching paused and was woken"
    last = out.getvalue().splitlines()[-1]
    assert last.startswith(f"job {job.pk} done: 30/30 documents (100%), ") and "indexed 30" in last
    model_rows = Classification.objects.filter(document__corpus=corpus, reviewed__isnull=True)
    assert set(model_rows.values_list("model_version", flat=True)) == {trained.version}
    assessed = DocumentAssessment.objects.filter(document__corpus=corpus).values_list(
        "model_version", flat=True
    )
    assert set(assessed) == {trained.version}
    assert dict(DocumentEmbedding.objects.values_list("document_id", "pk")) == vectors, "no encoding again"
    assert_same_rows({pk: row for pk, row in rows([accepted]).items() if row[7] is not None}, kept)
    assert {row[6] for row in kept.values()} == {rejected_first.model_version}, "made by the zero-shot model"
    assert rejected_first.node.code not in codes(rejected_before)
    for document in others:
        leaf = top_leaf(document)
        if leaf is not None:
            assert document.pk in found(taxonomy.pk, leaf.node.code), "re-indexed with the new subjects"

    rejected = top_leaf(rejected_between)  # a decision on the new model's subjects
    review.reject(rejected)
    remaining = codes(rejected_between)
    before = rows([accepted, rejected_before, *others])

    started = api.post(
        reverse("web:api:corpus-reclassify", args=[corpus.pk]), {"model": trained.version}, format="json"
    )

    assert started.status_code == 201, started.content
    again = wait_for_job(IngestJob.objects.get(pk=started.json()["id"]))
    assert (again.state, again.indexed) == ("done", 30), again.message
    assert codes(rejected_between) == remaining and rejected.node.code not in remaining
    assert rejected_between.pk not in found(taxonomy.pk, rejected.node.code)
    assert_same_rows(rows([accepted, rejected_before, *others]), before)
