"""Resumable uploads: a file sent in chunks at known offsets, kept across broken connections, and
started as an ingest job like any upload (``jobs.uploads.start_upload_job``) once whole."""

import logging
import os
import time
import uuid
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from jobs.errors import (
    OffsetConflict,
    TooManyUploads,
    UploadError,
    UploadGone,
    UploadSpaceFull,
    UploadTooLarge,
)
from jobs.models import Upload
from jobs.uploads import check_format, check_size, check_target, safe_name, start_upload_job, stored_path
from library.audit import Actor, acting
from taxonomy.models import Taxonomy

logger = logging.getLogger(__name__)

CHECKPOINT_BYTES = 64 * 1024 * 1024  # a long chunk is made durable and counted this often
RENEW_CLAIM_S = 10  # a request renews its claim this often, far inside INGEST_UPLOAD_WRITER_TIMEOUT_S
RECEIVING = Upload.State.RECEIVING


def partial_folder() -> Path:
    """Where unfinished uploads wait, one file each."""
    return Path(settings.MEDIA_ROOT) / "uploads-partial"


def partial_path(upload_id: uuid.UUID | str) -> Path:
    """The file of an unfinished upload's bytes."""
    return partial_folder() / f"{uuid.UUID(str(upload_id)).hex}.part"


def create_upload(
    filename: str,
    size: int,
    corpus_name: str,
    taxonomy: Taxonomy | str | None,
    format: str = "",
    by: Actor = None,
) -> Upload:
    """Open a resumable upload of ``size`` bytes into a corpus, at offset 0, owned by ``by``.

    Everything that would refuse the file later is checked now, before a byte is sent: the size
    (UploadTooLarge over ``INGEST_UPLOAD_MAX_BYTES``), the corpus and taxonomy, the format, and
    the quotas of unfinished uploads (``check_quotas``).
    """
    if size < 1:
        raise UploadError("size", "an upload has at least one byte")
    check_size(size, "size")
    corpus_name, taxonomy = check_target(corpus_name, taxonomy)
    check_quotas(size, acting(by))
    upload = Upload.objects.create(
        filename=safe_name(filename),
        size=size,
        corpus_name=corpus_name,
        taxonomy=taxonomy,
        format=check_format(format),
        owner=acting(by),
    )
    partial_folder().mkdir(parents=True, exist_ok=True)
    partial_path(upload.pk).touch()
    return upload


def check_quotas(size: int, owner) -> None:
    """Refuse a new upload past ``INGEST_UPLOAD_MAX_OPEN_PER_USER`` unfinished ones of its owner
    (TooManyUploads) or past ``INGEST_UPLOAD_MAX_OPEN_BYTES`` declared by all unfinished ones
    (UploadSpaceFull)."""
    receiving = Upload.objects.filter(state=RECEIVING)
    most = settings.INGEST_UPLOAD_MAX_OPEN_PER_USER
    if owner is not None and receiving.filter(owner=owner).count() >= most:
        raise TooManyUploads(f"{most} unfinished uploads are open already: finish or discard one")
    declared = receiving.aggregate(total=Sum("size"))["total"] or 0
    if declared + size > settings.INGEST_UPLOAD_MAX_OPEN_BYTES:
        raise UploadSpaceFull(
            f"unfinished uploads hold {declared:,} bytes; {size:,} more would pass the limit of"
            f" {settings.INGEST_UPLOAD_MAX_OPEN_BYTES:,} (INGEST_UPLOAD_MAX_OPEN_BYTES)"
        )


def append_chunk(upload: Upload, offset: int, length: int, chunks: Iterable[bytes]) -> Upload:
    """Store the chunk's ``length`` bytes at ``offset``; the upload as it now stands.

    Bytes count only once they are on disk (fsync), so the offset never runs ahead of the file.
    Chunks that end early (the connection dropped) keep what arrived: the client resumes from the
    new offset. The last byte starts the ingest job (``upload.job``); an empty chunk at the end
    starts it if that failed before. OffsetConflict when ``offset`` is not where the upload stands
    (another request got there first), UploadTooLarge past the declared size, UploadGone when it
    was discarded meanwhile.
    """
    if offset != upload.offset:
        raise OffsetConflict(
            upload.offset, f"the upload stands at byte {upload.offset:,}, not at byte {offset:,}"
        )
    if offset + length > upload.size:
        raise UploadTooLarge(
            "size",
            f"{length:,} bytes at byte {offset:,} go past the declared size of {upload.size:,} bytes",
            upload.size,
        )
    if length and upload.state == RECEIVING:
        writer = _claim(upload.pk, offset)
        try:
            _write(upload.pk, writer, offset, length, chunks)
        finally:
            Upload.objects.filter(pk=upload.pk, writer=writer).update(writer=None, writing_since=None)
    upload = _reload(upload.pk)
    if upload.state == RECEIVING and upload.offset == upload.size:
        upload = _finish(upload)
    return upload


def discard_upload(upload: Upload) -> bool:
    """Forget an unfinished upload and remove its bytes; False (nothing removed) once it is a job."""
    deleted, _ = Upload.objects.filter(pk=upload.pk, state=RECEIVING).delete()
    if not deleted and Upload.objects.filter(pk=upload.pk).exists():
        return False
    partial_path(upload.pk).unlink(missing_ok=True)
    return True


def discard_stale_uploads(older_than: timedelta) -> int:
    """Discard the unfinished uploads that received nothing for ``older_than``; how many.

    Partial files that lost their row (the process died between the two removals) go too.
    """
    cutoff = timezone.now() - older_than
    discarded = 0
    stale = Upload.objects.filter(state=RECEIVING, updated__lt=cutoff)
    for pk in stale.values_list("pk", flat=True):
        if stale.filter(pk=pk).delete()[0]:  # unless a chunk arrived meanwhile
            partial_path(pk).unlink(missing_ok=True)
            discarded += 1
    folder = partial_folder()
    for path in folder.glob("*.part") if folder.is_dir() else ():
        try:
            known = Upload.objects.filter(pk=uuid.UUID(path.stem)).exists()
        except ValueError:  # not one of ours
            continue
        if not known and path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
    if discarded:
        logger.info("discarded %s unfinished uploads idle since %s", discarded, cutoff)
    return discarded


def _reload(upload_id: uuid.UUID) -> Upload:
    upload = Upload.objects.select_related("job").filter(pk=upload_id).first()
    if upload is None:
        raise UploadGone()
    return upload


def _claim(upload_id: uuid.UUID, offset: int) -> uuid.UUID:
    """Claim the upload for one request's chunk at ``offset``, before a byte of it is written, so
    that two requests never write over each other; OffsetConflict when another holds it, or the
    offset moved. A claim not renewed for ``INGEST_UPLOAD_WRITER_TIMEOUT_S`` (its request died)
    lapses."""
    writer, now = uuid.uuid4(), timezone.now()
    lapsed = now - timedelta(seconds=settings.INGEST_UPLOAD_WRITER_TIMEOUT_S)
    free = Q(writer__isnull=True) | Q(writing_since__lt=lapsed)
    claimed = Upload.objects.filter(free, pk=upload_id, state=RECEIVING, offset=offset).update(
        writer=writer, writing_since=now
    )
    if not claimed:
        now_at = _reload(upload_id).offset
        raise OffsetConflict(now_at, f"another request is sending bytes to this upload; resume at {now_at:,}")
    return writer


def _write(
    upload_id: uuid.UUID, writer: uuid.UUID, offset: int, length: int, chunks: Iterable[bytes]
) -> None:
    """Write up to ``length`` bytes at ``offset``, counting them every CHECKPOINT_BYTES and at the end."""
    try:
        with open(partial_path(upload_id), "r+b") as out:
            out.seek(offset)
            left, pending, held = length, 0, time.monotonic()
            for chunk in chunks:
                if time.monotonic() - held > RENEW_CLAIM_S:  # a slow client: renew before writing
                    _renew(upload_id, writer)
                    held = time.monotonic()
                chunk = chunk[:left]
                out.write(chunk)
                left -= len(chunk)
                pending += len(chunk)
                if pending >= CHECKPOINT_BYTES:
                    offset, pending = _count(upload_id, writer, out, offset, pending), 0
                if not left:
                    break
            _count(upload_id, writer, out, offset, pending)
    except FileNotFoundError as error:  # discarded before the first byte
        raise UploadGone() from error


def _renew(upload_id: uuid.UUID, writer: uuid.UUID) -> None:
    """Renew the request's claim; OffsetConflict (and no more bytes written) once it lapsed."""
    if not Upload.objects.filter(pk=upload_id, writer=writer).update(writing_since=timezone.now()):
        now_at = _reload(upload_id).offset
        raise OffsetConflict(now_at, f"this request took too long and lost the upload; resume at {now_at:,}")


def _count(upload_id: uuid.UUID, writer: uuid.UUID, out: BinaryIO, offset: int, written: int) -> int:
    """Make the bytes written since ``offset`` durable, then count them and renew the claim; the
    new offset. The update names the claim and the offset it starts from: a request whose claim
    lapsed counts nothing."""
    out.flush()
    os.fsync(out.fileno())
    if not written:
        return offset
    now = timezone.now()
    counted = Upload.objects.filter(pk=upload_id, state=RECEIVING, offset=offset, writer=writer).update(
        offset=offset + written, updated=now, writing_since=now
    )
    if not counted:
        now = _reload(upload_id).offset
        raise OffsetConflict(now, f"another request stored bytes at byte {offset:,} first; resume at {now:,}")
    return offset + written


def _finish(upload: Upload) -> Upload:
    """Start the ingest job of a whole upload, once; its file moves to where uploads are stored.

    If the job cannot start for good (its corpus now has another taxonomy), the upload is
    discarded; on any other error the file goes back, and the next chunk request finishes it.
    """
    partial, path = partial_path(upload.pk), stored_path(upload.filename)
    try:
        with transaction.atomic():
            whole = Upload.objects.filter(pk=upload.pk, state=RECEIVING, offset=F("size"))
            if whole.select_for_update().first() is None:
                return _reload(upload.pk)  # another request finished it
            os.truncate(partial, upload.size)  # bytes past the end were never counted
            partial.replace(path)
            job = start_upload_job(
                path, upload.filename, upload.corpus_name, upload.taxonomy, upload.format, upload.owner
            )
            whole.update(state=Upload.State.COMPLETE, job=job, updated=timezone.now())
    except UploadError:
        path.unlink(missing_ok=True)
        Upload.objects.filter(pk=upload.pk).delete()
        raise
    except BaseException:
        if path.exists():
            path.replace(partial)
        raise
    return _reload(upload.pk)
