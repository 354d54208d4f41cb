"""A librarian works through the review queue with the keyboard in a real Chromium: moves between
documents and subjects, accepts, rejects, types a correction without the keys being taken, and
reads the list of keys."""

import pytest

from library.models import Classification, Decision
from library.queue import QueueFilter, review_queue
from tests.web import test_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

browser_library = test_browser.browser_library
page = test_browser.page
shot = test_browser.shot


def waiting_codes(document_id: int) -> list[str]:
    rows = Classification.objects.filter(document_id=document_id, is_leaf_prediction=True, status="review")
    return list(rows.order_by("rank").values_list("node__code", flat=True))


def test_review_queue_by_keyboard(browser_library, eager_pipeline, live_server, page):
    from playwright.sync_api import expect

    library = browser_library
    first, second = review_queue(QueueFilter(corpus=library.corpus.name)).documents[:2]
    subjects = waiting_codes(first.pk)
    assert len(subjects) > 2

    page.goto(live_server.url + "/review/")
    marked = page.locator(".queue-item.is-marked")
    expect(marked).to_have_attribute("data-document", str(first.pk))
    expect(page.locator("[data-keys-hint]")).to_be_visible()

    page.keyboard.press("j")
    expect(marked).to_have_attribute("data-document", str(second.pk))
    page.keyboard.press("k")
    expect(marked).to_have_attribute("data-document", str(first.pk))
    page.keyboard.press("n")
    expect(marked.locator(".subject.is-marked code.code")).to_have_text(subjects[1])

    page.keyboard.press("a")  # accept the second subject
    expect(page.locator(".message.success")).to_contain_text("Accepted")
    expect(marked).to_have_attribute("data-document", str(first.pk))
    expect(marked.locator(".subject.is-marked code.code")).to_have_text(subjects[2])
    assert waiting_codes(first.pk) == [subjects[0], subjects[2]]
    shot(page, "review-keys")

    page.keyboard.press("r")  # reject the third, still marked after the reload
    expect(page.locator(".message.success")).to_contain_text("Rejected")
    assert waiting_codes(first.pk) == [subjects[0]]
    assert not Classification.objects.filter(document=first, node__code=subjects[2]).exists()

    page.keyboard.press("e")
    field = marked.locator(".correct-form input[name=node]")
    expect(field).to_be_focused()
    page.keyboard.type("jk?")  # letters for the field, not for the queue
    expect(field).to_have_value("jk?")
    expect(marked).to_have_attribute("data-document", str(first.pk))
    expect(page.locator("#review-keys")).not_to_be_visible()
    page.keyboard.press("Escape")
    expect(field).not_to_be_focused()

    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    shot(page, "review-keys-help")
    page.keyboard.press("j")  # keys wait while the list is open
    page.keyboard.press("?")
    expect(page.locator("#review-keys")).not_to_be_visible()
    expect(marked).to_have_attribute("data-document", str(first.pk))

    page.keyboard.press("Shift+A")  # accept all of the document's
    expect(page.locator(f'.queue-item[data-document="{first.pk}"]')).to_have_count(0)
    expect(page.locator(".queue-item").first).to_have_class("card queue-item is-marked")  # in its place
    actions = Decision.objects.filter(document_id=first.pk).order_by("id").values_list("action", flat=True)
    assert list(actions) == ["accept", "reject", "accept"]
