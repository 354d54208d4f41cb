"""The librarians' pages, rendered by Django's test client over the real classified library."""

import html
import re

import pytest

from classifier.actions import classify_documents
from classifier.loading import load_classifier
from jobs.models import IngestJob, RecordFailure
from library.models import Classification, Document
from library.queries import node_document_counts
from search.actions import index_documents
from tests.helpers import count_encoded, huge_abstract
from web.templatetags.shelfmark import highlight

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_home_lists_taxonomies_corpora_and_the_upload_form(client, library):
    page = client.get("/").content.decode()
    assert f'href="/taxonomies/{library.taxonomy.pk}/"' in page
    assert re.search(
        rf"{library.corpus.name}</a></td>\s*<td>.*?</td>\s*<td class=\"num\">20</td>", page, re.S
    )
    assert 'enctype="multipart/form-data"' in page and 'name="csrfmiddlewaretoken"' in page


def test_taxonomy_page_shows_the_tree_with_counts(client, library):
    page = client.get(f"/taxonomies/{library.taxonomy.pk}/", {"suggested": 1}).content.decode()
    counts = node_document_counts(library.taxonomy, suggested=True)
    assert page.count("<details") == 166 - 155  # every node with children, once; arXiv has 155 leaves
    cs = re.search(
        r'/nodes/cs/\?suggested=1">Computer Science</a> <code class="code">cs</code> <span class="count[^"]*"[^>]*>(\d+)<',
        page,
    )
    assert cs and int(cs.group(1)) == counts["cs"]


def test_node_page_has_breadcrumb_children_and_documents(client, library):
    counts = node_document_counts(library.taxonomy, suggested=True)
    page = client.get(f"/taxonomies/{library.taxonomy.pk}/nodes/cs/", {"suggested": 1}).content.decode()
    assert 'aria-label="Breadcrumb"' in page and "Narrower subjects" in page
    assert f"{counts['cs']} document" in page
    leaf = client.get(f"/taxonomies/{library.taxonomy.pk}/nodes/cs.CL/").content.decode()
    assert f'<a href="/taxonomies/{library.taxonomy.pk}/nodes/cs/">Computer Science</a>' in leaf
    assert client.get(f"/taxonomies/{library.taxonomy.pk}/nodes/nope/").status_code == 404


def test_search_page_highlights_and_filters_by_facet(client, searchable):
    page = client.get("/search/", {"q": "olfactory", "suggested": 1}).content.decode()
    assert "<mark>" in page and "Benchmark for Assessing Olfactory Perception" in page
    facet = re.search(r'<a class="facet" href="(\?[^"]*node=cs[^"]*)"', page)
    assert facet, "a facet link adds a node filter"

    filtered = client.get("/search/" + facet.group(1).replace("&amp;", "&")).content.decode()
    assert 'class="chip removable"' in filtered and 'aria-current="true"' in filtered


def test_search_page_escapes_everything_but_marks(client, library, settings):
    document = Document.objects.create(
        corpus=library.corpus,
        external_id="x-1",
        title="Zebrafish <script>alert(1)</script> study",
        abstract="Zebrafish & <b>bold</b> claims about <img src=x onerror=alert(1)> zebrafish",
        content_hash="x",
    )
    index_documents([document.pk])  # this test's own index (see the autouse fixture)

    page = client.get("/search/", {"q": "zebrafish"}).content.decode()

    assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold" not in page
    assert "&lt;script&gt;" in page and "<mark>Zebrafish</mark>" in page


def test_highlight_keeps_only_marks():
    assert highlight("a &amp; <mark>b</mark> <script>") == "a &amp; <mark>b</mark> &lt;script&gt;"


def test_document_page_shows_subjects_and_similar_documents(client, searchable):
    document = searchable.documents[0]
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert document.title in page and document.external_id in page
    subjects = re.search(r'aria-labelledby="subjects-title">(.*?)</section>', page, re.S).group(1)
    assert "zeroshot/" in subjects and ">similarity 0." in subjects
    assert "<meter" not in subjects and not re.search(r"\d%", subjects), "a similarity is no percentage"
    assert "Similar documents" in page and page.count('<a href="/documents/') >= 3


def test_a_huge_abstract_is_explained_on_its_page_and_in_the_api(client, searchable, settings, monkeypatch):
    document = Document.objects.create(
        corpus=searchable.corpus, external_id="huge", title="A long read", abstract=huge_abstract()
    )
    classify_documents(searchable.taxonomy, [document])
    index_documents([document.pk])
    leaves = Classification.objects.filter(document=document, is_leaf_prediction=True).order_by("rank")
    code = leaves.values_list("node__code", flat=True).first()
    encoded = count_encoded(monkeypatch, load_classifier(searchable.taxonomy).encoder)

    page = client.get(f"/documents/{document.pk}/")
    answer = client.get(f"/api/documents/{document.pk}/subjects/{code}/explanation/")

    assert page.status_code == 200 and answer.status_code == 200
    sentences = answer.json()["sentences"]
    assert 1 <= len(sentences) <= 3 and html.escape(sentences[0]["text"]) in page.content.decode()
    assert len(encoded) == 2 and max(encoded) <= settings.CLASSIFIER_EXPLAIN_MAX_SENTENCES


def test_upload_form_shows_field_errors_and_starts_a_job(client, library, tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text('{"id": "u1", "title": "Uploaded"}\n')
    with open(path, "rb") as handle:
        refused = client.post("/upload/", {"file": handle, "taxonomy": library.taxonomy.pk})
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()

    with open(path, "rb") as handle:
        response = client.post(
            "/upload/", {"file": handle, "corpus": "form", "taxonomy": library.taxonomy.pk}
        )

    job = IngestJob.objects.get(corpus__name="form")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"


def test_job_page_shows_counts_and_failures(client, library):
    job = IngestJob.objects.create(
        corpus=library.corpus, source_name="s.jsonl", source_path="/x", read=3, failed=1
    )
    RecordFailure.objects.create(job=job, file="s.jsonl", line=2, field="title", reason="missing or empty")
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f'data-api="/api/jobs/{job.pk}/"' in page and 'data-field="read">3<' in page
    assert "missing or empty" in page and f"/api/jobs/{job.pk}/failures.csv" in page


def test_scores_show_as_what_they_are_on_document_and_node_pages(client, library):
    documents = client.get(f"/taxonomies/{library.taxonomy.pk}/nodes/cs/", {"suggested": 1}).content.decode()
    table = re.search(r"<table>(.*?)</table>", documents, re.S).group(1)
    assert ">similarity 0." in table and "<meter" not in table and not re.search(r"\d%", table)

    document = library.placed[0]
    document.classifications.update(score_kind="probability", model_version="hybrid/arxiv@1/trained")
    page = client.get(f"/documents/{document.pk}/").content.decode()
    subjects = re.search(r'aria-labelledby="subjects-title">(.*?)</section>', page, re.S).group(1)
    assert '<meter min="0" max="1"' in subjects and re.search(r">\d+%</span>", subjects)
    assert ">similarity " not in subjects, "a trained model's probabilities keep their percentages"
