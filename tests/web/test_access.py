"""Every URL of the project against the role matrix: anonymous, reader, librarian, curator and admin,
each method. A URL the matrix does not name fails the test, so a new endpoint needs a rule."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.roles import Role
from classifier.models import ClassifierModel
from jobs.models import IngestJob, TrainingJob, Upload
from library.actions import get_or_create_corpus
from library.models import Classification, Document
from taxonomy.models import Node

ANYONE = "anyone"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
READ, EDIT, CURATE = Role.READER, Role.LIBRARIAN, Role.CURATOR
# URL name -> {method: the least role that may use it (ANYONE: also a visitor who is not signed in)}.
MATRIX: dict[str, dict[str, Role | str]] = {
    "login": {"GET": ANYONE, "POST": ANYONE},
    "logout": {"POST": ANYONE},
    "token": {"GET": READ, "POST": READ},
    "schema": {"GET": READ},
    "api-docs": {"GET": READ},
    "api-redoc": {"GET": READ},
    "web:home": {"GET": READ},
    "web:upload": {"POST": EDIT},
    "web:job": {"GET": EDIT},
    "web:delete-job-documents": {"GET": EDIT, "POST": EDIT},
    "web:reclassify-corpus": {"POST": EDIT},
    "web:delete-corpus": {"GET": EDIT, "POST": EDIT},
    "web:taxonomy": {"GET": READ},
    "web:retrain": {"POST": CURATE},
    "web:models": {"GET": CURATE},
    "web:node": {"GET": READ},
    "web:reliability": {"GET": READ},  # a model's figures are for everyone who reads its subjects
    "web:search": {"GET": READ},
    "web:document": {"GET": READ},
    "web:delete-document": {"GET": EDIT, "POST": EDIT},
    "web:review": {"GET": EDIT},
    "web:review-unplaced": {"GET": EDIT},
    "web:review-accept": {"GET": EDIT, "POST": EDIT},
    "web:accept-subject": {"POST": EDIT},
    "web:reject-subject": {"POST": EDIT},
    "web:accept-document": {"POST": EDIT},
    "web:correct-document": {"POST": EDIT},
    "web:api:index": {"GET": READ},
    "web:api:taxonomy-list": {"GET": READ},
    "web:api:taxonomy-detail": {"GET": READ},
    "web:api:taxonomy-tree": {"GET": READ},
    "web:api:node-documents": {"GET": READ},
    "web:api:document-list": {"GET": READ},
    "web:api:document-detail": {"GET": READ, "DELETE": EDIT},
    "web:api:document-similar": {"GET": READ},
    "web:api:document-subjects": {"POST": EDIT},
    "web:api:subject-explanation": {"GET": READ},
    "web:api:review": {"GET": EDIT},
    "web:api:review-accept": {"GET": EDIT, "POST": EDIT},
    "web:api:classification-accept": {"POST": EDIT},
    "web:api:classification-reject": {"POST": EDIT},
    "web:api:corpus-list": {"GET": READ},
    "web:api:corpus-detail": {"DELETE": EDIT},
    "web:api:corpus-reclassify": {"POST": EDIT},
    "web:api:search": {"GET": READ},
    "web:api:job-list": {"GET": EDIT, "POST": EDIT},
    "web:api:job-detail": {"GET": EDIT},
    "web:api:job-documents": {"DELETE": EDIT},
    "web:api:job-failures": {"GET": EDIT},
    "web:api:job-failures-csv": {"GET": EDIT},
    "web:api:model-list": {"GET": CURATE},
    "web:api:taxonomy-training": {"POST": CURATE},
    "web:api:training-detail": {"GET": CURATE},
    "web:api:model-activate": {"POST": CURATE},
    "web:api:upload-list": {"POST": EDIT},
    "web:api:upload-detail": {"GET": EDIT, "PUT": EDIT, "PATCH": EDIT, "DELETE": EDIT},
    "web:activate-model": {"POST": CURATE},  # last: the model it switches on is not a real one
}
DENIED = {401, 403, 405}


def url_names(patterns=None, prefix: str = "") -> set[str]:
    """The full names of every URL pattern of the project (Django's admin apart)."""
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                names |= url_names(
                    pattern.url_patterns, f"{prefix}{pattern.namespace}:" * bool(pattern.namespace)
                )
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(prefix + pattern.name)
    return names


@pytest.fixture
def site(arxiv_taxonomy, user_with):
    """One of everything a URL can name, and a user of each role."""
    corpus = get_or_create_corpus("matrix", arxiv_taxonomy)
    document = Document.objects.create(
        corpus=corpus, external_id="m1", title="Graph neural networks", content_hash="0"
    )
    node = Node.objects.get(taxonomy=arxiv_taxonomy, code="cs.LG")
    classification = Classification.objects.create(
        document=document, node=node, score=0.5, rank=1, status="review"
    )
    job = IngestJob.objects.create(corpus=corpus, source_name="m.jsonl", source_path="/nonexistent/m.jsonl")
    users = {role: user_with(role) for role in Role}
    upload = Upload.objects.create(
        filename="m.jsonl", size=10, corpus_name="matrix", taxonomy=arxiv_taxonomy, owner=users[EDIT]
    )
    model = ClassifierModel.objects.create(
        taxonomy=arxiv_taxonomy, version="matrix-1", kind="hybrid", path="x"
    )
    kwargs = {
        "web:job": {"pk": job.pk},
        "web:delete-job-documents": {"pk": job.pk},
        "web:reclassify-corpus": {"pk": corpus.pk},
        "web:delete-corpus": {"pk": corpus.pk},
        "web:taxonomy": {"pk": arxiv_taxonomy.pk},
        "web:retrain": {"pk": arxiv_taxonomy.pk},
        "web:activate-model": {"pk": model.pk},
        "web:node": {"pk": arxiv_taxonomy.pk, "code": node.code},
        "web:reliability": {"pk": arxiv_taxonomy.pk},
        "web:document": {"pk": document.pk},
        "web:delete-document": {"pk": document.pk},
        "web:accept-subject": {"pk": classification.pk},
        "web:reject-subject": {"pk": classification.pk},
        "web:accept-document": {"pk": document.pk},
        "web:correct-document": {"pk": document.pk},
        "web:api:taxonomy-detail": {"pk": arxiv_taxonomy.pk},
        "web:api:taxonomy-tree": {"pk": arxiv_taxonomy.pk},
        "web:api:node-documents": {"pk": arxiv_taxonomy.pk, "code": node.code},
        "web:api:document-detail": {"pk": document.pk},
        "web:api:document-similar": {"pk": document.pk},
        "web:api:document-subjects": {"pk": document.pk},
        "web:api:subject-explanation": {"pk": document.pk, "code": node.code},
        "web:api:classification-accept": {"pk": classification.pk},
        "web:api:classification-reject": {"pk": classification.pk},
        "web:api:corpus-detail": {"pk": corpus.pk},
        "web:api:corpus-reclassify": {"pk": corpus.pk},
        "web:api:job-detail": {"pk": job.pk},
        "web:api:job-documents": {"pk": job.pk},
        "web:api:job-failures": {"pk": job.pk},
        "web:api:job-failures-csv": {"pk": job.pk},
        "web:api:model-activate": {"version": model.version},
        "web:api:taxonomy-training": {"pk": arxiv_taxonomy.pk},
        "web:api:training-detail": {"pk": TrainingJob.objects.create(taxonomy=arxiv_taxonomy).pk},
        "web:api:upload-detail": {"pk": upload.pk},
    }
    return users, kwargs


def ask(user, method: str, url: str):
    """One request by ``user`` (None: not signed in), with a fresh session each time."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.generic(method, url, b"{}", content_type="application/json")


def denied(response) -> bool:
    to_login = response.status_code == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL))
    return to_login or response.status_code in DENIED


def test_every_url_of_the_project_has_a_rule():
    assert url_names() == set(MATRIX)


def test_admin_pages_are_for_admins_only(user_with):
    for role in Role:
        response = ask(user_with(role), "GET", reverse("admin:auth_user_changelist"))
        assert (response.status_code == 200) == (role == Role.ADMIN), role
    assert ask(None, "GET", reverse("admin:index")).status_code == 302


@pytest.mark.parametrize("anonymous_read", [False, True], ids=["signed-in-only", "anonymous-read"])
def test_each_role_may_use_exactly_what_the_matrix_says(site, settings, anonymous_read):
    settings.SHELFMARK_ANONYMOUS_READ = anonymous_read
    users, kwargs = site
    wrong = []
    for name, rules in MATRIX.items():
        url = reverse(name, kwargs=kwargs.get(name))
        for method in METHODS:
            least = rules.get(method)
            for role in [None, *Role]:
                if least is None:
                    allowed = False
                elif least == ANYONE or role is not None:
                    allowed = least == ANYONE or role >= least
                else:  # not signed in
                    allowed = anonymous_read and least == READ and name not in {"token"}
                response = ask(users.get(role), method, url)
                assert response.status_code < 500, (name, method, role, response.content[:500])
                if denied(response) == allowed:
                    wrong.append((name, method, role.name if role else "anonymous", response.status_code))
    assert not wrong, "\n".join(map(str, wrong))
