"""A librarian works through the review queue in a real Chromium: accepts a subject, then a whole
document, which leaves the queue; reads why a subject was given; adds the right one."""

import re

import pytest

from library.models import Classification
from library.queue import QueueFilter, review_queue
from search.backends import get_backend
from search.types import SearchQuery
from tests.web import test_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The Chromium walk-through's fixtures: a committed library the live server sees, and a page.
browser_library = test_browser.browser_library
page = test_browser.page
shot = test_browser.shot


def test_review_queue_accept_explain_and_correct(browser_library, eager_pipeline, live_server, page):
    from playwright.sync_api import expect

    library = browser_library
    queue = review_queue(QueueFilter(corpus=library.corpus.name)).documents  # most useful first
    total, first = queue.count(), queue.first()
    subjects = Classification.objects.filter(document=first, is_leaf_prediction=True).select_related("node")
    label = subjects.order_by("rank").first().node.label

    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", level=2, name=f"{total} documents awaiting review")).to_be_visible()
    item = page.locator(f'.queue-item[data-document="{first.pk}"]')
    expect(item.locator(".status-review")).to_have_count(subjects.count())
    shot(page, "review-queue")

    item.get_by_role("button", name=f"Accept {label}", exact=True).click()
    expect(page.locator(".message.success")).to_contain_text(f"Accepted {label}")
    expect(item.locator(".status-accepted")).to_have_count(1)

    item.get_by_role("button", name="Accept all").click()
    expect(page.locator(".message.success")).to_contain_text("Accepted")
    expect(
        page.get_by_role("heading", level=2, name=f"{total - 1} documents awaiting review")
    ).to_be_visible()
    expect(page.locator(f'.queue-item[data-document="{first.pk}"]')).to_have_count(0)
    shot(page, "review-accepted")
    assert not Classification.objects.filter(document=first, status="review").exists()

    second = page.locator(".queue-item").first
    second.locator(".hit-title a").click()
    expect(page.get_by_role("heading", name="Subjects", exact=True)).to_be_visible()
    why = page.locator("details.why").first
    why.locator("summary").click()
    expect(why.locator(".evidence q").first).to_be_visible()
    shot(page, "review-why")

    document_id = int(re.search(r"/documents/(\d+)/", page.url).group(1))
    page.get_by_label("Add the right subject").fill("q-bio.NC")
    page.get_by_role("button", name="Add subject").click()
    expect(page.locator(".message.success")).to_contain_text("Added Neurons and Cognition")
    expect(page.locator(".status-librarian")).to_have_count(1)
    shot(page, "review-corrected")
    hits = get_backend().search(SearchQuery(nodes=("q-bio.NC",), taxonomy_id=library.taxonomy.pk)).hits
    assert document_id in {hit.id for hit in hits}, "the index follows the correction"
