"""Titles and abstracts show their LaTeX as text in pages, search hits, facets and the API; the stored
text keeps the original."""

import gzip
import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.parsers.jsonl import record_from_object
from library.models import Classification, Document
from search.actions import index_documents
from tests.conftest import ARXIV_DEV
from tests.helpers import store_documents
from web.latex import MAX_CHARS, latex_to_text
from web.templatetags.shelfmark import highlight

MATH_TITLE = (
    "Representation theory of the Gelfand quiver and Harish-Chandra modules for $\\mathsf{SL}_2(\\mathbb{R})$"
)
AS_TEXT = "Representation theory of the Gelfand quiver and Harish-Chandra modules for 𝖲𝖫_2(ℝ)"


def arxiv_records() -> list[dict]:
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def test_real_arxiv_titles_and_abstracts_read_as_text():
    records = arxiv_records()
    titles = [r["title"] for r in records if "$" in r["title"]]
    assert len(titles) == 75 and MATH_TITLE in titles
    assert latex_to_text(MATH_TITLE) == AS_TEXT
    assert latex_to_text("$\\mathcal N=4$ super Yang-Mills") == "𝒩=4 super Yang-Mills"
    for title in titles:
        text = latex_to_text(title)
        assert "$" not in text and "\\" not in text, title
    for abstract in (r["abstract"] for r in records[:2000] if "$" in r["abstract"]):
        assert "$" not in latex_to_text(abstract) or "\\$" in abstract, "only an escaped dollar stays"


def test_plain_text_stays_as_it_is_and_percent_signs_are_no_comments():
    plain = "R&D of C# tools: 50% faster_loading ~ {braces}"
    assert latex_to_text(plain) == plain, "text without math or macros is not touched"
    assert latex_to_text("Gains of 5% on $x^2$ & more") == "Gains of 5% on x^2 & more"
    assert latex_to_text("\\href{https://example.org}{our code} and \\href{https://example.org}.") == (
        "our code and https://example.org."
    )


@given(st.text(alphabet=st.sampled_from("$\\{}^_%&#~ ab\\frac\\begin"), max_size=300))
@settings(max_examples=200, deadline=None)
def test_broken_latex_never_raises(text):
    assert isinstance(latex_to_text(text), str)


def test_hostile_latex_takes_bounded_time():
    for unit in ("\\", "{", "$x$ ", "\\frac", "^{", "\\sqrt{"):
        hostile = unit * (MAX_CHARS // len(unit))
        started = time.perf_counter()
        latex_to_text(hostile)
        assert time.perf_counter() - started < 2, unit
    longer = "$x$" * MAX_CHARS
    assert latex_to_text(longer) is longer, "past the cap the text is shown as it is, unconverted"


def test_highlighted_snippets_keep_their_marks_around_converted_latex():
    assert highlight("modules for <mark>$\\mathsf{SL}_2$</mark> &amp; <b>") == (
        "modules for <mark>𝖲𝖫_2</mark> &amp; &lt;b&gt;"
    )
    assert highlight("a <mark>b</mark> \ue000c") == "a <mark>b</mark> c", "no stray mark from the text"


@pytest.mark.slow
@pytest.mark.django_db
def test_pages_hits_and_api_show_latex_as_text_and_store_the_original(client, api, library):
    record = next(r for r in arxiv_records() if r["title"] == MATH_TITLE)
    (document,) = [
        d
        for d in store_documents(library.corpus, [record_from_object(record, ARXIV_DEV.name, 1)])
        if d.external_id == record["id"]
    ]
    node = library.taxonomy.nodes.get(code="math.RT")
    Classification.objects.create(
        document=document, node=node, score=0.4, score_kind="similarity", rank=1, status="review"
    )
    index_documents([document.pk])  # this test's own index

    assert Document.objects.get(pk=document.pk).title == MATH_TITLE, "stored as the authors wrote it"
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert f"<h1>{AS_TEXT}</h1>" in page and "\\mathsf" not in page
    hits = client.get("/search/", {"q": "Gelfand quiver"}).content.decode()
    assert f">{AS_TEXT}</a>" in hits and "\\mathbb" not in hits
    queue = client.get("/review/", {"corpus": library.corpus.name, "node": "math.RT"}).content.decode()
    assert f">{AS_TEXT}</a>" in queue

    detail = api.get(f"/api/documents/{document.pk}/").json()
    assert (detail["title"], detail["title_text"]) == (MATH_TITLE, AS_TEXT)
    assert detail["abstract"] == record["abstract"] and "$" not in detail["abstract_text"]
    hit = next(
        h for h in api.get("/api/search/", {"q": "Gelfand quiver"}).json()["hits"] if h["id"] == document.pk
    )
    assert (hit["title"], hit["title_text"]) == (MATH_TITLE, AS_TEXT)
