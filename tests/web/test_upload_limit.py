"""A request declaring a body over the upload limit is refused with 413 before its body is read:
nothing is parsed, nothing written under MEDIA_ROOT, for the API and for the form (whose CSRF check
would read the body before the view)."""

import pytest
from django.core.files.uploadhandler import FileUploadHandler
from django.test import Client
from rest_framework.test import APIClient

from web.upload_limit import FORM_BYTES

pytestmark = pytest.mark.django_db

LIMIT = 1000


class RecordingHandler(FileUploadHandler):
    """Notes each request body that is parsed, then lets the usual handlers store the file."""

    parsed: list[int] = []

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        RecordingHandler.parsed.append(content_length)

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


@pytest.fixture(autouse=True)
def limited(settings, tmp_path):
    settings.INGEST_UPLOAD_MAX_BYTES = LIMIT
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}.RecordingHandler", *settings.FILE_UPLOAD_HANDLERS]
    RecordingHandler.parsed.clear()
    path = tmp_path / "records.jsonl"
    path.write_text('{"id": "1", "title": "A title"}\n')
    return path


def over() -> str:
    return str(LIMIT + FORM_BYTES + 1)


def test_the_api_refuses_an_upload_over_the_limit_from_its_declared_length(limited, settings, arxiv_taxonomy):
    with open(limited, "rb") as handle:
        response = APIClient().post(
            "/api/jobs/", {"file": handle, "corpus": "c", "taxonomy": "arxiv"}, CONTENT_LENGTH=over()
        )

    assert response.status_code == 413
    assert response.json() == {
        "detail": f"file: the request's {int(over()):,} bytes are over the upload limit of {LIMIT:,} bytes",
        "max_size": LIMIT,
    }
    assert RecordingHandler.parsed == [] and not settings.MEDIA_ROOT.exists()


def test_the_form_refuses_it_before_the_csrf_check_reads_the_body(
    limited, settings, arxiv_taxonomy, librarian
):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(librarian)
    browser.get("/")
    token = browser.cookies["csrftoken"].value
    with open(limited, "rb") as handle:
        fields = {"file": handle, "corpus": "c", "taxonomy": arxiv_taxonomy.pk, "csrfmiddlewaretoken": token}
        response = browser.post("/upload/", fields, CONTENT_LENGTH=over())

    assert response.status_code == 413 and "over the upload limit of 1,000 bytes" in response.content.decode()
    assert RecordingHandler.parsed == [] and not settings.MEDIA_ROOT.exists()

    with open(limited, "rb") as handle:  # within the limit, the same form goes through
        fields["file"] = handle
        response = browser.post("/upload/", fields)
    assert response.status_code == 302 and len(RecordingHandler.parsed) == 1
