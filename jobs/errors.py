"""Errors of jobs: uploads that cannot be taken."""


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


class TooManyUploads(UploadError):
    """The user has ``INGEST_UPLOAD_MAX_OPEN_PER_USER`` unfinished uploads already."""

    def __init__(self, message: str) -> None:
        super().__init__("upload", message)


class UploadSpaceFull(UploadError):
    """Unfinished uploads together declare ``INGEST_UPLOAD_MAX_OPEN_BYTES`` already."""

    def __init__(self, message: str) -> None:
        super().__init__("size", message)
