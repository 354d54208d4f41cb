"""Errors of ingestion: input files, and records in them, that cannot be read."""


class RecordError(ValueError):
    """One record that cannot be taken: names the file, the line or entry, the field and why."""

    def __init__(self, file: str, line: int, field: str, reason: str) -> None:
        self.file, self.line, self.field, self.reason = file, line, field, reason
        where = f"{file}: line {line}" + (f": field {field!r}" if field else "")
        super().__init__(f"{where}: {reason}")


class SourceError(ValueError):
    """A whole input file that cannot be read (wrong format, truncated, unreadable)."""
