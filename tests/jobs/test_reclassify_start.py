"""Starting a reclassification from the command line, the API and the web page: the model is fixed
when it starts, one runs at a time per corpus, and a model the taxonomy lacks is refused."""

import gzip
import json
from io import StringIO
from itertools import islice

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from classifier import versions
from classifier.models import ClassifierModel
from ingest.parsers.jsonl import record_from_object
from jobs.models import IngestJob, Reclassification
from library.actions import get_or_create_corpus
from library.models import Corpus, Document
from tests.conftest import ARXIV_DEV

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(arxiv_taxonomy) -> Corpus:
    """Six real arXiv records, stored."""
    corpus = get_or_create_corpus("arxiv-start", arxiv_taxonomy)
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as lines:
        records = [
            record_from_object(json.loads(line), ARXIV_DEV.name, n) for n, line in enumerate(islice(lines, 6))
        ]
    Document.objects.bulk_create(
        Document(corpus=corpus, external_id=r.external_id, title=r.title, content_hash=r.content_hash)
        for r in records
    )
    return corpus


def test_the_command_starts_a_job_with_the_active_model_or_the_one_named(corpus, tmp_path):
    out = StringIO()
    call_command("reclassify", "--corpus", corpus.name, stdout=out)
    job = IngestJob.objects.get(corpus=corpus)
    assert out.getvalue() == f"Job {job.pk} queued: 6 documents of arxiv-start, reclassify with zeroshot\n"
    assert (job.state, job.expected, job.reclassification.model_version) == ("queued", 6, "zeroshot")

    with pytest.raises(CommandError, match="being reclassified already"):
        call_command("reclassify", "--corpus", corpus.name)
    job.state = IngestJob.State.DONE
    job.save()
    model = ClassifierModel.objects.create(
        taxonomy=corpus.taxonomy, version="hybrid/test", kind="hybrid", path=""
    )
    versions.activate(model)
    call_command("reclassify", "--corpus", corpus.name, stdout=StringIO())
    assert Reclassification.objects.latest("pk").model_version == "hybrid/test"

    with pytest.raises(CommandError, match="no model 'hybrid/elsewhere'"):
        call_command("reclassify", "--corpus", corpus.name, "--model", "hybrid/elsewhere")
    with pytest.raises(CommandError, match="no corpus named 'nowhere'"):
        call_command("reclassify", "--corpus", "nowhere")


def test_the_api_lists_corpora_and_starts_one_reclassification_at_a_time(corpus, api):
    listed = api.get(reverse("web:api:corpus-list")).json()["results"]
    assert [(c["id"], c["name"], c["taxonomy_name"], c["document_count"]) for c in listed] == [
        (corpus.pk, "arxiv-start", "arxiv", 6)
    ]
    url = reverse("web:api:corpus-reclassify", args=[corpus.pk])

    refused = api.post(url, {"model": "hybrid/elsewhere"}, format="json")
    assert refused.status_code == 400 and "no model 'hybrid/elsewhere'" in refused.json()["model"][0]

    started = api.post(url, {}, format="json")
    assert started.status_code == 201, started.content
    job = started.json()
    assert started["Location"] == reverse("web:api:job-detail", args=[job["id"]])
    assert (job["kind"], job["model_version"], job["state"], job["expected"]) == (
        "reclassify",
        "zeroshot",
        "queued",
        6,
    )
    assert api.get(started["Location"]).json()["kind"] == "reclassify"

    again = api.post(url, {"model": "zeroshot"}, format="json")
    assert again.status_code == 409 and again.json()["job"] == job["id"]
    assert api.post(reverse("web:api:corpus-reclassify", args=[corpus.pk + 1000])).status_code == 404
    kinds = {
        j["id"]: (j["kind"], j["model_version"])
        for j in api.get(reverse("web:api:job-list")).json()["results"]
    }
    assert kinds == {job["id"]: ("reclassify", "zeroshot")}


def test_the_home_page_button_starts_a_reclassification_and_shows_its_job(corpus, client):
    home = client.get(reverse("web:home")).content.decode()
    action = reverse("web:reclassify-corpus", args=[corpus.pk])
    assert f'action="{action}"' in home

    response = client.post(action)
    job = IngestJob.objects.get(corpus=corpus)
    assert response.status_code == 302 and response["Location"] == reverse("web:job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert f"Reclassification #{job.pk}" in page and "<code>zeroshot</code>" in page

    again = client.post(action, follow=True)
    assert again.redirect_chain[-1][0] == reverse("web:job", args=[job.pk])
    assert "being reclassified already" in again.content.decode()
    assert IngestJob.objects.filter(corpus=corpus).count() == 1
