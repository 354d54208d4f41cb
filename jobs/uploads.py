"""Uploaded input files: checked, stored under MEDIA_ROOT in chunks, then handed to ``start_ingest``."""

import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction
from django.utils.text import get_valid_filename

from ingest.errors import SourceError
from ingest.parsers.detection import normalise_format
from jobs.actions import start_ingest
from jobs.errors import UploadError, UploadTooLarge
from jobs.models import IngestJob
from jobs.sources import uploads_folder
from library.actions import get_or_create_corpus
from library.audit import Actor
from library.models import Corpus
from taxonomy import actions as taxonomies
from taxonomy.models import Taxonomy

MAX_NAME_CHARS = 120


def safe_name(name: str) -> str:
    """A file name safe to store: no directories, no odd characters, bounded length."""
    try:
        cleaned = get_valid_filename(Path(name or "").name)
    except SuspiciousFileOperation:  # the name cleans down to nothing or to dots
        cleaned = "upload"
    return cleaned[-MAX_NAME_CHARS:]


def stored_path(name: str) -> Path:
    """A new, unique place for an upload of that name: MEDIA_ROOT/uploads/<uuid>-<safe name>."""
    folder = uploads_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{uuid.uuid4().hex}-{safe_name(name)}"


def check_size(size: int, field: str = "file") -> None:
    """Refuse an upload above ``INGEST_UPLOAD_MAX_BYTES`` (UploadTooLarge)."""
    limit = settings.INGEST_UPLOAD_MAX_BYTES
    if size > limit:
        raise UploadTooLarge(field, f"{size:,} bytes is over the upload limit of {limit:,} bytes", limit)


def save_upload(chunks: Iterable[bytes], name: str) -> Path:
    """Write the chunks to a new stored path, never holding the whole file; UploadTooLarge (and
    nothing kept) past the upload limit."""
    path = stored_path(name)
    written = 0
    try:
        with open(path, "wb") as out:
            for chunk in chunks:
                written += len(chunk)
                check_size(written)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def find_taxonomy(value: str) -> Taxonomy:
    """A taxonomy by id, or by name (its most recent version)."""
    taxonomy = taxonomies.find_taxonomy(value)
    if taxonomy is None:
        raise UploadError("taxonomy", f"no taxonomy with id or name {value!r}")
    return taxonomy


def check_target(corpus_name: str, taxonomy: Taxonomy | str | None) -> tuple[str, Taxonomy]:
    """Validate where an upload goes, without writing: a new corpus needs a taxonomy, an old one keeps its own."""
    corpus_name = corpus_name.strip()
    if not corpus_name:
        raise UploadError("corpus", "this field is required")
    if isinstance(taxonomy, str):
        taxonomy = find_taxonomy(taxonomy) if taxonomy.strip() else None
    existing = Corpus.objects.filter(name=corpus_name).select_related("taxonomy").first()
    if taxonomy is None:
        if existing is None:
            raise UploadError("taxonomy", f"required to create the new corpus {corpus_name!r}")
        return corpus_name, existing.taxonomy
    if existing is not None and existing.taxonomy_id != taxonomy.pk:
        raise UploadError(
            "taxonomy", f"corpus {corpus_name!r} is classified with {existing.taxonomy}, not {taxonomy}"
        )
    return corpus_name, taxonomy


def check_format(format: str | None) -> str:
    """The canonical name of a format asked for ("" to detect it from the content)."""
    if not format or not format.strip():
        return ""
    try:
        return normalise_format(format)
    except SourceError as error:
        raise UploadError("format", str(error)) from error


def start_upload_job(
    path: Path, name: str, corpus_name: str, taxonomy: Taxonomy, format: str = "", by: Actor = None
) -> IngestJob:
    """Start the ingest job of an upload stored whole at ``path``; it is queued once committed.

    UploadError if the corpus was created meanwhile with another taxonomy. The file stays where
    it is either way: the caller decides what becomes of it.
    """
    try:
        with transaction.atomic():
            corpus = get_or_create_corpus(corpus_name, taxonomy)
            return start_ingest(corpus, path, safe_name(name), format, by)
    except ValueError as error:
        raise UploadError("taxonomy", str(error)) from error


def ingest_upload(
    chunks: Iterable[bytes],
    name: str,
    corpus_name: str,
    taxonomy: Taxonomy | str | None,
    format: str = "",
    by: Actor = None,
) -> IngestJob:
    """Store an uploaded file and start its ingest job; the job is queued once committed.

    The target is checked before the file is written, and the file is written before the
    transaction, so a large upload never holds the database's write lock.
    """
    corpus_name, taxonomy = check_target(corpus_name, taxonomy)
    format = check_format(format)
    path = save_upload(chunks, name)
    try:
        return start_upload_job(path, name, corpus_name, taxonomy, format, by)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
