"""REST API of resumable uploads, a small tus-like protocol: open an upload, send its chunks at
their offsets, ask where it stands, discard it; the last byte starts the ingest job."""

import re
from collections.abc import Iterator

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role, may
from jobs.errors import (
    OffsetConflict,
    TooManyUploads,
    UploadError,
    UploadGone,
    UploadSpaceFull,
    UploadTooLarge,
)
from jobs.models import Upload
from jobs.resumable import append_chunk, create_upload, discard_upload
from web.access import allow
from web.api import serializers as s

READ_BYTES = 1024 * 1024  # the body is read and written in pieces of this size, never whole
CHUNK_TYPE = "application/offset+octet-stream"
CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")

TOO_LARGE = OpenApiResponse(description="over INGEST_UPLOAD_MAX_BYTES, or past the declared size")
NO_SUCH_UPLOAD = OpenApiResponse(description="no such upload (never opened, discarded, or stale)")
CHUNK_PARAMETERS = [
    OpenApiParameter(
        "Upload-Offset", int, OpenApiParameter.HEADER, description="where the chunk goes: the upload's offset"
    ),
    OpenApiParameter(
        "Content-Range",
        str,
        OpenApiParameter.HEADER,
        description="instead of Upload-Offset: bytes FIRST-LAST/SIZE (or /*), FIRST at the upload's offset",
    ),
]


def problem(error: UploadError) -> Response:
    """The answer to a refused upload or chunk: 413 over a size, 409 with the offset to resume
    at, 404 once discarded, else 400 naming the field at fault."""
    if isinstance(error, UploadTooLarge):
        return Response(
            {"detail": f"{error.field}: {error.message}", "max_size": error.limit},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(error, OffsetConflict):
        return Response(
            {"detail": error.message, "offset": error.offset},
            status=status.HTTP_409_CONFLICT,
            headers={"Upload-Offset": str(error.offset)},
        )
    if isinstance(error, UploadGone):
        return Response({"detail": error.message}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(error, TooManyUploads):
        return Response({"detail": error.message}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    if isinstance(error, UploadSpaceFull):
        return Response({"detail": error.message}, status=status.HTTP_507_INSUFFICIENT_STORAGE)
    return Response({error.field: [error.message]}, status=status.HTTP_400_BAD_REQUEST)


def answer(upload: Upload, code: int = status.HTTP_200_OK) -> Response:
    """The upload as it stands, its offset and size also in headers (a HEAD request gets only those)."""
    data = s.UploadSerializer(upload).data
    headers = {
        "Upload-Offset": str(upload.offset),
        "Upload-Length": str(upload.size),
        "Cache-Control": "no-store",
    }
    if code == status.HTTP_201_CREATED:
        headers["Location"] = data["url"]
    return Response(data, status=code, headers=headers)


def chunk_position(request: Request, upload: Upload) -> tuple[int, int]:
    """``(offset, length)`` of the chunk in the request, from Upload-Offset or Content-Range."""
    declared = (request.META.get("CONTENT_LENGTH") or "0").strip()
    if not declared.isdigit():
        raise ValidationError({"Content-Length": ["a number of bytes, 0 or more"]})
    length = int(declared)
    if "Upload-Offset" in request.headers:
        offset = request.headers["Upload-Offset"].strip()
        if not offset.isdigit():
            raise ValidationError({"Upload-Offset": ["a number of bytes, 0 or more"]})
        return int(offset), length
    if "Content-Range" in request.headers:
        match = CONTENT_RANGE.fullmatch(request.headers["Content-Range"].strip())
        if not match:
            raise ValidationError({"Content-Range": ["expected bytes FIRST-LAST/SIZE"]})
        first, last, total = match.groups()
        if int(last) - int(first) + 1 != length:
            raise ValidationError(
                {"Content-Range": [f"covers {int(last) - int(first) + 1} bytes, the body {length}"]}
            )
        if total != "*" and int(total) != upload.size:
            raise ValidationError({"Content-Range": [f"size {total}, but the upload declared {upload.size}"]})
        return int(first), length
    raise ValidationError({"Upload-Offset": ["say where the chunk goes: Upload-Offset or Content-Range"]})


def request_chunks(request: Request) -> Iterator[bytes]:
    """The request body in pieces as it arrives; a dropped connection ends it quietly."""
    stream = request.stream
    while stream is not None:
        try:
            piece = stream.read(READ_BYTES)
        except OSError:  # UnreadablePostError: the client went away mid-chunk
            return
        if not piece:
            return
        yield piece


class UploadList(APIView):
    """Open a resumable upload: name the file, its size and where it goes; then send its bytes to ``url``."""

    permission_classes = allow(write=Role.LIBRARIAN)

    @extend_schema(
        request=s.UploadCreateSerializer,
        responses={201: s.UploadSerializer, 400: OpenApiResponse(description="a field is missing or wrong"),
                   413: TOO_LARGE},
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        params = s.UploadCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        try:
            upload = create_upload(
                data["filename"],
                data["size"],
                data["corpus"],
                data.get("taxonomy") or None,
                data.get("format", ""),
                by=request.user,
            )
        except UploadError as error:
            return problem(error)
        return answer(upload, status.HTTP_201_CREATED)


def own_uploads(request: Request) -> QuerySet[Upload]:
    """The uploads the user may see and send to: their own; an admin's, everyone's."""
    uploads = Upload.objects.select_related("job")
    return uploads if may(request.user, Role.ADMIN) else uploads.filter(owner_id=request.user.pk)


class UploadDetail(APIView):
    """A resumable upload: where it stands (GET, HEAD), its next chunk (PATCH, or PUT), DELETE to discard it."""

    permission_classes = allow(read=Role.LIBRARIAN, write=Role.LIBRARIAN)

    @extend_schema(responses={200: s.UploadSerializer, 404: NO_SUCH_UPLOAD})
    def get(self, request: Request, pk: str) -> Response:
        return answer(get_object_or_404(own_uploads(request), pk=pk))

    @extend_schema(
        request={CHUNK_TYPE: OpenApiTypes.BINARY},
        parameters=CHUNK_PARAMETERS,
        responses={
            200: s.UploadSerializer,
            400: OpenApiResponse(description="no Upload-Offset or Content-Range, or a wrong one"),
            404: NO_SUCH_UPLOAD,
            409: OpenApiResponse(description="the chunk is not at the upload's offset; resume at `offset`"),
            413: TOO_LARGE,
        },
        description="Append the body at the upload's offset, streamed to disk. The answer has the new offset;"
        " after the last byte, the ingest job (`job`, `job_url`). A body cut short keeps what arrived.",
    )
    def patch(self, request: Request, pk: str) -> Response:
        upload = get_object_or_404(own_uploads(request), pk=pk)
        offset, length = chunk_position(request, upload)
        try:
            upload = append_chunk(upload, offset, length, request_chunks(request))
        except UploadError as error:
            return problem(error)
        return answer(upload)

    put = patch

    @extend_schema(
        responses={204: None, 404: NO_SUCH_UPLOAD,
                   409: OpenApiResponse(description="complete: it is an ingest job now")},
    )  # fmt: skip
    def delete(self, request: Request, pk: str) -> Response:
        upload = get_object_or_404(own_uploads(request), pk=pk)
        if not discard_upload(upload):
            upload.refresh_from_db()
            return Response(
                {"detail": f"the upload is complete: it is ingest job {upload.job_id}", "job": upload.job_id},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)
