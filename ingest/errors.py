"""Errors of ingestion: input files, and records in them, that cannot be read."""


class RecordError(ValueError):
    """One record that cannot be taken: names the file, the line or entry, the field and why."""

    def __init__(self, file: str, line: int, field: str, reason: str) -> None:
        file, field, reason = _storable(file), _storable(field), _storable(reason)
        self.file, self.line, self.field, self.reason = file, line, field, reason
        where = f"{file}: line {line}" + (f": field {field!r}" if field else "")
        super().__init__(f"{where}: {reason}")


class SourceError(ValueError):
    """A whole input file that cannot be read (wrong format, truncated, unreadable)."""


def _storable(text: str) -> str:
    """``text`` with what UTF-8 cannot encode (bytes of a file that is not UTF-8) as "?", so that
    the error itself can be stored."""
    return text.encode("utf-8", "replace").decode("utf-8")
