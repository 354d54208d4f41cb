"""The scaled-out topology, natively: gunicorn, two workers, the test's database and broker (PostgreSQL
+ Redis under bin/test). A model trained by one process (`manage.py train`) is used by workers that
never trained it, through the folder they share; a script uploads through the web server with a token."""

import gzip
import http.client
import json
import os
import subprocess
import sys
import time
import uuid
from itertools import islice
from pathlib import Path

import pytest
from django.conf import settings

from accounts.roles import Role
from accounts.tokens import rotate_token
from classifier.models import ClassifierModel
from jobs.models import IngestJob
from library.models import Classification, Document
from shelfmark.workers import REPO, start_in_session, stop_gracefully
from taxonomy.actions import import_taxonomy
from tests.conftest import SHARED_DATA
from tests.fixtures.worker import database_url
from tests.helpers import wait_for_job

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TAXONOMY4CL = SHARED_DATA / "taxonomies" / "taxonomy4cl-v1.0.1.json"
FORC_TRAIN = SHARED_DATA / "corpora" / "forc4cl-train.jsonl.gz"
FORC_VAL = SHARED_DATA / "corpora" / "forc4cl-val.jsonl.gz"
TRAIN_RECORDS, UPLOADED_RECORDS = 300, 30
READY_S = 120


def lines_of(path: Path, count: int) -> str:
    with gzip.open(path, "rt", encoding="utf-8") as source:
        return "".join(islice(source, count))


@pytest.fixture
def shared_folders(settings, tmp_path) -> dict[str, str]:
    """Where every process of the site finds the same models, caches and uploads."""
    settings.CLASSIFIER_MODEL_DIR = tmp_path / "models"
    return {
        "CLASSIFIER_MODEL_DIR": str(settings.CLASSIFIER_MODEL_DIR),
        "CLASSIFIER_CACHE_DIR": str(settings.CLASSIFIER_CACHE_DIR),
        "SHELFMARK_MEDIA": str(settings.MEDIA_ROOT),
    }


def site_env(extra: dict[str, str], broker: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        **broker,
        **extra,
        "DATABASE_URL": database_url(),
        "SEARCH_BACKEND": settings.SEARCH_BACKEND,
        "SEARCH_EMBEDDED_PATH": str(settings.SEARCH_EMBEDDED_PATH),
        "ELASTICSEARCH_URL": settings.ELASTICSEARCH_URL,
        "SEARCH_INDEX": settings.SEARCH_INDEX,
    }


@pytest.fixture
def web(shared_folders, celery_broker, tmp_path, free_port):
    """gunicorn serving the site on a free port."""
    env = site_env(shared_folders, celery_broker)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "shelfmark.wsgi",
        "--bind",
        f"127.0.0.1:{free_port}",
        "--workers",
        "2",
    ]
    process = start_in_session(command, env, tmp_path / "web.log")
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", free_port, timeout=2).request("GET", "/accounts/login/")
            break
        except OSError:
            time.sleep(0.2)
    yield free_port
    stop_gracefully(process)


@pytest.fixture
def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def upload(port: int, token: str, path: Path, corpus: str, taxonomy: str) -> dict:
    """POST the file to /api/jobs/ as a script would: multipart, with the token."""
    boundary = uuid.uuid4().hex
    fields = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in (("corpus", corpus), ("taxonomy", taxonomy))
    )
    body = (
        (
            f'{fields}--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n\r\n'
        ).encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Authorization": f"Token {token}"}
    connection.request("POST", "/api/jobs/", body, headers)
    answer = connection.getresponse()
    assert answer.status == 201, answer.read()
    return json.loads(answer.read())


def test_workers_use_a_model_another_process_trained(
    shared_folders, celery_broker, web, start_worker, tmp_path, user_with
):
    taxonomy = import_taxonomy(TAXONOMY4CL, name="t4cl")
    training = tmp_path / "forc-train.jsonl"
    training.write_text(lines_of(FORC_TRAIN, TRAIN_RECORDS))
    trained = subprocess.run(
        [sys.executable, "manage.py", "train", "--taxonomy", "t4cl", "--from", str(training), "--activate"],
        cwd=REPO,
        env=site_env(shared_folders, celery_broker),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert trained.returncode == 0, trained.stderr[-3000:]
    model = ClassifierModel.objects.get(taxonomy=taxonomy, is_active=True)
    assert Path(model.path).is_relative_to(settings.CLASSIFIER_MODEL_DIR)
    for _ in range(2):
        start_worker()  # started after training: they load the model from the shared folder

    uploaded = tmp_path / "forc-val.jsonl"
    uploaded.write_text(lines_of(FORC_VAL, UPLOADED_RECORDS))
    token = rotate_token(user_with(Role.LIBRARIAN))
    answer = upload(web, token, uploaded, "forc-val", "t4cl")
    job = wait_for_job(IngestJob.objects.get(pk=answer["id"]))

    assert job.state == IngestJob.State.DONE, job.message
    assert (job.stored, job.classified, job.indexed) == (UPLOADED_RECORDS,) * 3
    assert job.created_by.get_username() == "librarian"
    versions = set(
        Classification.objects.filter(document__corpus=job.corpus, source="model").values_list(
            "model_version", flat=True
        )
    )
    assert versions == {model.version}
    assert (
        Document.objects.filter(corpus=job.corpus, assessment__model_version=model.version).count()
        == UPLOADED_RECORDS
    )
