"""Requests declaring a body over the upload limit are refused before a byte of the body is read.

A check in the upload views would come too late: for a form post (``POST /upload/``) the CSRF check
reads the whole body first, spooling the file to disk, and DRF does the same for a signed-in user
of ``POST /api/jobs/``. So the check stands in a middleware, before the CSRF one.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

FORM_BYTES = 64 * 1024  # what a whole-file upload's form fields and boundaries add to its file


def declared_length(request: HttpRequest) -> int:
    """The body's length as the request's Content-Length declares it (0 when missing or wrong)."""
    value = (request.META.get("CONTENT_LENGTH") or "").strip()
    return int(value) if value.isdigit() else 0


class UploadLimitMiddleware:
    """Answers 413 to a request whose declared body cannot hold an upload within
    ``INGEST_UPLOAD_MAX_BYTES``, whatever its URL: no request takes more than the largest upload.

    A body within the limit is still counted as it is written (``jobs.uploads.save_upload``), since
    a client may declare less than it sends; the server then reads only what was declared."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        length, limit = declared_length(request), settings.INGEST_UPLOAD_MAX_BYTES
        if length <= limit + FORM_BYTES:
            return None
        detail = f"file: the request's {length:,} bytes are over the upload limit of {limit:,} bytes"
        if "api" in request.resolver_match.namespaces:
            return JsonResponse({"detail": detail, "max_size": limit}, status=413)
        return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")
