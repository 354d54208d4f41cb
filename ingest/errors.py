"""Errors of ingestion: input files that cannot be read, uploads that cannot be taken."""


class RecordError(ValueError):
    """One record that cannot be taken: names the file, the line or entry, the field and why."""

    def __init__(self, file: str, line: int, field: str, reason: str) -> None:
        self.file, self.line, self.field, self.reason = file, line, field, reason
        where = f"{file}: line {line}" + (f": field {field!r}" if field else "")
        super().__init__(f"{where}: {reason}")


class SourceError(ValueError):
    """A whole input file that cannot be read (wrong format, truncated, unreadable)."""


class UploadError(ValueError):
    """An upload that cannot start a job; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


class UploadTooLarge(UploadError):
    """An upload over the size limit (``INGEST_UPLOAD_MAX_BYTES``), or past its own declared size."""

    def __init__(self, field: str, message: str, limit: int) -> None:
        self.limit = limit
        super().__init__(field, message)


class OffsetConflict(UploadError):
    """A chunk sent for another offset than where the resumable upload stands (``offset``)."""

    def __init__(self, offset: int, message: str) -> None:
        self.offset = offset
        super().__init__("offset", message)


class UploadGone(UploadError):
    """A resumable upload discarded (by its owner or as stale) while a chunk was arriving."""

    def __init__(self) -> None:
        super().__init__("upload", "the upload was discarded")
