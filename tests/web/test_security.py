"""CSRF, tokens, throttling, JSON errors, self-served API docs, and production settings that are
safe by default (DEBUG off, refusal without a secret, no `check --deploy` warning with the
compose file's variables)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.cache import cache
from django.test import Client, RequestFactory
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from accounts.roles import Role
from accounts.tokens import rotate_token
from library.actions import get_or_create_corpus
from library.models import Classification, Document
from taxonomy.models import Node
from web.api.errors import server_error

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


@pytest.fixture
def subject(arxiv_taxonomy) -> Classification:
    """A model subject awaiting review on a stored document."""
    corpus = get_or_create_corpus("security", arxiv_taxonomy)
    document = Document.objects.create(corpus=corpus, external_id="s1", title="A paper", content_hash="0")
    node = Node.objects.get(taxonomy=arxiv_taxonomy, code="cs.CL")
    return Classification.objects.create(document=document, node=node, score=0.4, rank=1, status="review")


def test_the_session_api_without_a_csrf_token_is_refused(librarian, subject):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(librarian)
    answer = browser.post(f"/api/classifications/{subject.pk}/accept/", format="json")
    assert answer.status_code == 403 and "CSRF" in answer.json()["detail"]
    subject.refresh_from_db()
    assert subject.status == "review"


def test_a_form_posted_from_another_origin_is_refused_even_with_a_token(librarian, subject):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(librarian)
    token = browser.get("/review/").cookies["csrftoken"].value
    url = f"/review/subjects/{subject.pk}/accept/"
    refused = browser.post(url, {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="http://evil.example")
    assert refused.status_code == 403
    subject.refresh_from_db()
    assert subject.status == "review"
    taken = browser.post(url, {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="http://testserver")
    assert taken.status_code == 302
    subject.refresh_from_db()
    assert subject.status == "accepted" and subject.decided_by == librarian


def test_the_api_takes_json_not_forms_or_plain_text(librarian, subject):
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {rotate_token(librarian)}")
    url = f"/api/documents/{subject.document_id}/subjects/"
    for body, kind in [("node=cs.AI", "application/x-www-form-urlencoded"), ("node=cs.AI", "text/plain")]:
        assert script.post(url, body, content_type=kind).status_code == 415, kind
    assert script.post(url, {"node": "cs.AI"}, format="json").status_code == 201


def test_tokens_missing_wrong_and_rotated(user_with):
    reader = user_with(Role.READER)
    script = APIClient()
    assert script.get("/api/corpora/").status_code == 401  # no token, no session
    script.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert script.get("/api/corpora/").status_code == 401
    old = rotate_token(reader)
    script.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert script.get("/api/corpora/").status_code == 200
    new = rotate_token(reader)
    assert script.get("/api/corpora/").status_code == 401  # the old token stopped working
    script.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert script.get("/api/corpora/").status_code == 200
    assert script.get("/api/jobs/").status_code == 403  # a reader's token is a reader's


def test_the_token_page_shows_and_rotates_the_users_token(client, librarian):
    first = rotate_token(librarian)
    assert first in client.get("/accounts/token/").content.decode()
    client.post("/accounts/token/")
    page = client.get("/accounts/token/").content.decode()
    second = re.search(r"Authorization: Token (\w+)", page).group(1)
    assert second != first
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert script.get("/api/jobs/").status_code == 200


def test_anonymous_clients_are_throttled(settings, monkeypatch):
    settings.SHELFMARK_ANONYMOUS_READ = True
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "3/minute")
    cache.clear()  # the counts of earlier tests
    visitor = APIClient()
    answers = [visitor.get("/api/taxonomies/").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]


def test_api_paths_answer_json_even_when_unknown_or_failing():
    index = APIClient().get("/api/")
    assert index.status_code == 401 and index["Content-Type"] == "application/json"
    unknown = Client().get("/api/no-such-endpoint/")
    assert unknown.status_code == 404 and unknown.json()["detail"].startswith("no such endpoint")
    failed = server_error(RequestFactory().get("/api/search/"))
    assert failed.status_code == 500 and failed["Content-Type"] == "application/json"
    assert Client().get("/no-such-page/").status_code == 404


def test_the_api_index_lists_every_endpoint(client):
    index = client.get("/api/").json()
    assert index["endpoints"]["search"] == "/api/search/"
    assert index["endpoints"]["upload-detail"] == "/api/uploads/<uuid:pk>/"
    assert index["docs"] == "/api/docs/" and index["schema"] == "/api/schema/"


def test_api_docs_are_served_by_shelfmark_itself(client):
    for url in ["/api/docs/", "/api/redoc/"]:
        page = client.get(url).content.decode()
        assert "/static/drf_spectacular_sidecar/" in page, url
        assert "cdn." not in page and "unpkg" not in page, url


def test_a_foreign_host_header_is_refused(client):
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400


def settings_process(env: dict[str, str], code: str, tmp_path) -> subprocess.CompletedProcess:
    """Run ``code`` after Django is set up with Shelfmark's own settings and only ``env``."""
    base = {"PATH": os.environ["PATH"], "SHELFMARK_VAR": str(tmp_path / "var"), "HOME": str(tmp_path)}
    script = f"import django; django.setup(); {code}"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={**base, "DJANGO_SETTINGS_MODULE": "shelfmark.settings", **env},
        capture_output=True,
        text=True,
    )


def test_debug_is_off_unless_set_and_shelfmark_refuses_to_start_without_a_secret(tmp_path):
    refused = settings_process({}, "", tmp_path)
    assert refused.returncode != 0 and "set SECRET_KEY and ALLOWED_HOSTS" in refused.stderr
    started = settings_process(
        {"SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "example.org"},
        "from django.conf import settings; print(settings.DEBUG, settings.SHELFMARK_ANONYMOUS_READ)",
        tmp_path,
    )
    assert started.stdout.split() == ["False", "False"], started.stderr


def compose_environment() -> dict[str, str]:
    """The variables docker-compose.yml gives web and workers, with what an operator must set."""
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    operator = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "shelfmark.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://shelfmark.example.org",
    }

    def resolve(value: str) -> str:
        def one(match: re.Match) -> str:
            name, rule, default = match.group(1), match.group(2) or "", match.group(3) or ""
            return operator[name] if rule == ":?" else os.environ.get(name, default)

        return re.sub(r"\$\{(\w+)(:[-?])?([^}]*)\}", one, str(value))

    return {name: resolve(value) for name, value in compose["x-shelfmark-env"].items()}


def test_check_deploy_with_the_compose_variables_gives_no_warning(tmp_path):
    env = compose_environment()
    env["SHELFMARK_VAR"] = env["SHELFMARK_MEDIA"] = str(tmp_path / "data")
    env["CLASSIFIER_CACHE_DIR"] = env["CLASSIFIER_MODEL_DIR"] = str(tmp_path / "data")
    done = settings_process(
        env,
        "from django.core.management import call_command;"
        " call_command('check', '--deploy', '--fail-level', 'WARNING')",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout + done.stderr


def test_every_service_of_the_compose_file_shares_the_data_volume_and_the_variables():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    shelfmark = {name: s for name, s in compose["services"].items() if s.get("build")}
    assert set(shelfmark) == {"migrate", "web", "worker"}
    for name, service in shelfmark.items():
        assert service["environment"] == compose["x-shelfmark-env"], name
        assert "shared:/data" in service["volumes"], name
    shared = {
        compose["x-shelfmark-env"][v]
        for v in ["SHELFMARK_MEDIA", "CLASSIFIER_CACHE_DIR", "CLASSIFIER_MODEL_DIR"]
    }
    assert all(path.startswith("/data/") for path in shared)
