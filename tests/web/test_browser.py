"""A librarian's trip through the UI in a real Chromium: home, tree, search, facet, document, job."""

import gzip
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth.base_user import AbstractBaseUser

from jobs.models import IngestJob, RecordFailure
from library.queries import node_document_counts
from tests.conftest import PASSWORD
from tests.web.conftest import Library, build_library, read_lines

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path("/tmp")
TIMEOUT_MS = 10_000


@pytest.fixture
def browser_library(transactional_db, settings, tmp_path, monkeypatch) -> Library:
    """A committed library the live server's thread can see, and its search index."""
    # Playwright's sync API keeps an event loop in this thread; the ORM calls here are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    built = build_library(tmp_path / "search.sqlite3", version="web-browser")
    settings.SEARCH_EMBEDDED_PATH = built.index_path
    return built


@contextmanager
def signed_in(site: str, user: AbstractBaseUser) -> Iterator:
    """A Chromium page of ``user``, who signed in through the login page; the test is skipped only
    when Chromium is not installed; it fails if a script on any page raised."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, site, user.get_username(), PASSWORD)
        yield page
        browser.close()
        assert not errors, errors


@pytest.fixture
def page(live_server, librarian, monkeypatch):
    """A Chromium page of a librarian who signed in."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM beside Playwright's loop
    with signed_in(live_server.url, librarian) as page:
        yield page


def sign_in(page, site: str, name: str, password: str) -> None:
    """Sign in through the login page, as a person would."""
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"shelfmark-{name}.png"), full_page=True)


def test_browse_search_and_read(browser_library, live_server, page):
    from playwright.sync_api import expect

    library = browser_library
    counts = node_document_counts(library.taxonomy, suggested=True)  # zero-shot: every subject suggested

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Collections")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(library.corpus.name))).to_contain_text("20")
    shot(page, "home")

    page.get_by_label("Taxonomies").get_by_role("link", name="arxiv", exact=True).click()
    expect(
        page.locator("summary", has=page.locator('a[href$="/nodes/cs/"]')).first.locator(".count")
    ).to_have_text("0")
    page.get_by_role("switch", name="Include suggestions").click()
    expect(page.get_by_role("switch", name="Include suggestions")).to_have_attribute("aria-checked", "true")
    cs = page.locator("summary", has=page.locator('a[href$="/nodes/cs/?suggested=1"]')).first
    expect(cs.locator(".count")).to_have_text(str(counts["cs"]))
    page.get_by_role("button", name="Expand all").click()
    expect(page.locator('a[href$="/nodes/cs.CL/?suggested=1"]')).to_be_visible()
    shot(page, "tree")

    page.locator('a[href$="/nodes/cs.CL/?suggested=1"]').click()
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Computer Science")
    expect(page.get_by_role("heading", name=f"{counts['cs.CL']} documents")).to_be_visible()
    shot(page, "node")

    page.get_by_label("Search documents").fill("olfactory")
    page.get_by_label("Search documents").press("Enter")
    expect(page.locator(".hit mark").first).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("“olfactory”")
    expect(page.locator(".facet-tree a.facet")).to_have_count(0)  # nothing accepted yet
    expect(page.locator(".hit .chip.suggested").first).to_contain_text("suggested")
    page.get_by_role("switch", name="Include suggestions").click()
    expect(page).to_have_url(re.compile(r"[?&]suggested=1"))
    shot(page, "search")

    facet = page.locator(".facet-tree a.facet").first
    label = facet.locator(".facet-label").inner_text()
    facet.click()
    expect(page).to_have_url(re.compile(r"[?&]node="))
    expect(page.get_by_role("link", name=f"Remove filter {label}")).to_be_visible()
    expect(page.locator(".facet.active").first).to_contain_text(label)
    shot(page, "facet")

    page.locator(".hit-title a").first.click()
    expect(page.get_by_role("heading", name="Subjects", exact=True)).to_be_visible()
    expect(page.locator(".subject").first).to_be_visible()
    expect(page.locator(".subject").first).to_contain_text("similarity 0.")  # zero-shot: no percentage
    expect(page.locator(".subject meter")).to_have_count(0)
    expect(page.locator(".similar li").first).to_be_visible()
    shot(page, "document")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Browse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("20 documents")
    shot(page, "browse")


def test_job_page_follows_progress(browser_library, live_server, page):
    from playwright.sync_api import expect

    job = IngestJob.objects.create(
        corpus=browser_library.corpus,
        source_name="april.jsonl.gz",
        source_path="/nowhere",
        state=IngestJob.State.RUNNING,
        read=130,
        stored=128,
        failed=2,
        classified=64,
    )
    RecordFailure.objects.create(
        job=job, file="april.jsonl.gz", line=17, field="title", reason="missing or empty"
    )

    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    expect(page.locator("[data-badge]")).to_have_text("running")
    expect(page.locator("#failures-body")).to_contain_text("missing or empty")
    shot(page, "job-running")

    RecordFailure.objects.create(job=job, file="april.jsonl.gz", line=90, field="", reason="invalid JSON")
    IngestJob.objects.filter(pk=job.pk).update(
        state=IngestJob.State.DONE, parsed_all=True, classified=128, indexed=128, failed=3
    )

    expect(page.locator("[data-badge]")).to_have_text("done")
    expect(page.locator("#job-percent")).to_have_text("100%")
    expect(page.locator('[data-field="indexed"]')).to_have_text("128")
    expect(page.locator("#failures-body tr")).to_have_count(2)
    shot(page, "job-done")


def test_upload_goes_in_chunks_and_resumes_after_network_errors(
    arxiv_taxonomy, live_server, page, tmp_path, monkeypatch
):
    """The home page sends the file in chunks; a chunk lost on its way and an answer lost on its
    way back are both resumed from the server's offset, and the job page opens."""
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM below, beside Playwright's loop

    path = tmp_path / "arxiv-40.jsonl.gz"
    path.write_bytes(gzip.compress("".join(read_lines(40, skip=300)).encode()))
    chunk = 8192
    offsets: list[int] = []

    def flaky(route) -> None:
        if route.request.method != "PATCH":
            return route.continue_()
        offsets.append(int(route.request.headers["upload-offset"]))
        if len(offsets) == 2:
            return route.abort("connectionreset")  # never reaches the server
        if len(offsets) == 3:
            route.fetch()  # the server stores the chunk, but its answer is lost
            return route.abort("connectionreset")
        return route.continue_()

    page.route("**/api/uploads/*/", flaky)
    page.goto(live_server.url + "/")
    page.eval_on_selector("form[data-uploads]", f"form => form.dataset.chunkBytes = '{chunk}'")
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_label("Corpus name").fill("chunked in the browser")
    page.get_by_role("button", name="Upload and classify").click()
    expect(page.get_by_role("alert")).to_contain_text("required to create the new corpus")  # before any byte
    assert offsets == []

    page.get_by_label("Taxonomy").select_option(label=str(arxiv_taxonomy))
    page.get_by_role("button", name="Upload and classify").click()

    page.wait_for_url(re.compile(r"/jobs/\d+/$"), timeout=30_000)
    job = IngestJob.objects.get(corpus__name="chunked in the browser")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ingest job #{job.pk}")
    assert Path(job.source_path).read_bytes() == path.read_bytes()
    assert offsets[:4] == [0, chunk, chunk, 2 * chunk]  # lost: sent again; answered late: asked, then on
    assert offsets == sorted(offsets) and offsets[-1] < path.stat().st_size <= offsets[-1] + chunk
