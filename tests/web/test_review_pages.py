"""The review pages over the real classified library: the queue, its forms, the not-classifiable
tab, and the evidence for each subject on the document page."""

import html
import re

import pytest
from django.test import Client

from library.models import Classification
from tests.web.conftest import LIBRARY_SIZE, Library
from web.views import REVIEW_PAGE_SIZE

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def leaves(document_id: int) -> list[Classification]:
    rows = Classification.objects.filter(document_id=document_id, is_leaf_prediction=True)
    return list(rows.select_related("node").order_by("rank"))


def queue_ids(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'class="card queue-item" data-document="(\d+)"', page)]


def queue_url(library: Library) -> str:
    """The library's queue, the longest waiting first."""
    return f"/review/?corpus={library.corpus.name}&order=oldest"


def test_header_links_the_review_queue(client, library):
    assert '<a href="/review/">Review</a>' in client.get("/").content.decode()


def test_queue_lists_waiting_documents_oldest_first_with_their_subjects_and_forms(client, library):
    page = client.get(queue_url(library)).content.decode()

    assert f"{len(library.placed)} documents awaiting review" in page
    first_page = library.placed[:REVIEW_PAGE_SIZE]
    assert queue_ids(page) == [d.pk for d in first_page]
    subjects = [c for d in first_page for c in leaves(d.pk)]
    assert all(c.status == "review" for c in subjects), "zero-shot subjects all wait for review"
    for classification in subjects:
        assert f'action="/review/subjects/{classification.pk}/accept/"' in page
        assert f'action="/review/subjects/{classification.pk}/reject/"' in page
        assert f">similarity {classification.score:.2f}</span>" in page
    assert page.count("awaiting review</span>") == len(subjects)
    assert "<meter" not in page and not re.search(r"\d%", page), "a similarity is no percentage"
    forms = 2 * len(subjects) + 2 * len(first_page) + 1  # accept and reject, + all and correct, sign out
    assert page.count('name="csrfmiddlewaretoken"') == forms
    assert f'<datalist id="nodes-{library.taxonomy.pk}">' in page and page.count("<option value=") >= 166
    next_page = re.search(r'rel="next" href="([^"]+)"', page).group(1)
    assert "corpus=" in next_page and "page=2" in next_page, "pages keep the filter"


def test_queue_filters_by_subject(client, library):
    code = leaves(library.documents[0].pk)[0].node.code
    page = client.get(queue_url(library) + f"&node={code}").content.decode()
    waiting = Classification.objects.filter(node__code=code, document__corpus=library.corpus)
    expected = sorted(set(waiting.values_list("document_id", flat=True)))
    assert f"{len(expected)} document{'s' if len(expected) > 1 else ''} awaiting review" in page
    assert queue_ids(page) == expected[:REVIEW_PAGE_SIZE]
    assert client.get("/review/?taxonomy=nope").status_code == 400


def test_accepting_takes_subjects_and_then_the_document_off_the_queue(client, library):
    document = library.documents[0]
    first = leaves(document.pk)[0]

    response = client.post(f"/review/subjects/{first.pk}/accept/", {"next": queue_url(library)})
    assert response.status_code == 302 and response["Location"] == queue_url(library)
    page = client.get(response["Location"]).content.decode()
    assert f"Accepted {html.escape(first.node.label)} for" in page
    assert document.pk in queue_ids(page), "its other subjects still wait"
    assert page.count("status-accepted") == 1

    response = client.post(
        f"/review/documents/{document.pk}/accept/", {"next": queue_url(library)}, follow=True
    )
    page = response.content.decode()
    waiting = len(library.placed) - 1
    assert f"{waiting} documents awaiting review" in page and document.pk not in queue_ids(page)
    assert not Classification.objects.filter(document=document, status="review").exists()


def test_rejecting_every_subject_moves_the_document_to_the_not_classifiable_tab(client, library):
    document = library.documents[1]
    for classification in leaves(document.pk):
        client.post(f"/review/subjects/{classification.pk}/reject/", {"next": "/review/"})

    assert not Classification.objects.filter(document=document).exists()
    assert document.pk not in queue_ids(client.get(queue_url(library)).content.decode())
    tab = client.get("/review/not-classifiable/").content.decode()
    assert 'aria-current="page">Not classifiable' in tab
    unplaced = 1 + LIBRARY_SIZE - len(library.placed)
    assert f"{unplaced} document{'s' if unplaced > 1 else ''} without a subject" in tab
    assert "every subject was rejected" in tab and "the model could not place it" in tab
    assert f'action="/review/documents/{document.pk}/correct/"' in tab
    assert f'list="nodes-{library.taxonomy.pk}"' in tab


def test_correcting_adds_a_librarian_subject_or_says_what_is_wrong(client, library):
    document = library.documents[2]
    back = f"/documents/{document.pk}/"

    page = client.post(
        f"/review/documents/{document.pk}/correct/", {"node": "no.such", "next": back}, follow=True
    )
    assert "“no.such” is not a subject of arxiv" in page.content.decode()
    assert not Classification.objects.filter(document=document, source="librarian").exists()

    page = client.post(
        f"/review/documents/{document.pk}/correct/", {"node": "q-bio.NC", "next": back}, follow=True
    )
    assert page.redirect_chain == [(back, 302)]
    content = page.content.decode()
    assert "Added Neurons and Cognition to" in content and "status-librarian" in content
    assert set(
        Classification.objects.filter(document=document, source="librarian").values_list(
            "node__code", flat=True
        )
    ) == {"q-bio", "q-bio.NC"}


def test_review_forms_only_post_and_only_go_back_to_this_site(client, library):
    classification = leaves(library.documents[3].pk)[0]
    url = f"/review/subjects/{classification.pk}/accept/"
    assert client.get(url).status_code == 405
    assert client.post(url, {"next": "https://elsewhere.example/"})["Location"] == "/review/"
    assert client.post("/review/subjects/999999/accept/").status_code == 404
    assert Client(enforce_csrf_checks=True).post(url).status_code == 403


def test_document_page_explains_each_subject_and_shows_its_status(client, library):
    document, labelled = library.documents[4], library.documents[5]
    subjects = leaves(document.pk)
    client.post(f"/review/documents/{labelled.pk}/correct/", {"node": subjects[0].node.code})
    client.post(f"/review/subjects/{subjects[0].pk}/accept/")

    page = client.get(f"/documents/{document.pk}/").content.decode()

    assert page.count('<details class="why">') == len(subjects)
    assert page.count("status-accepted") == 1 and page.count("status-review") == len(subjects) - 1
    quoted = [html.unescape(q) for q in re.findall(r"<q>(.*?)</q>", page, re.S)]
    assert quoted and all(q in document.title or q in document.abstract for q in quoted)
    assert f'<a href="/documents/{labelled.pk}/">{html.escape(labelled.title)}</a>' in page
    assert f'action="/review/documents/{document.pk}/correct/"' in page
